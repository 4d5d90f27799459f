"""China's provincial divisions (GB/T 2260 first two digits) on a tile grid: one square each,
placed roughly where the province lies, so a map of counts needs no boundary data."""

from __future__ import annotations

__all__ = ["PROVINCES", "tiles"]

# code -> (zh-CN, en, row, column)
PROVINCES: dict[str, tuple[str, str, int, int]] = {
    "23": ("黑龙江", "Heilongjiang", 0, 8),
    "15": ("内蒙古", "Inner Mongolia", 1, 6),
    "22": ("吉林", "Jilin", 1, 8),
    "65": ("新疆", "Xinjiang", 2, 1),
    "11": ("北京", "Beijing", 2, 6),
    "21": ("辽宁", "Liaoning", 2, 8),
    "62": ("甘肃", "Gansu", 3, 3),
    "64": ("宁夏", "Ningxia", 3, 4),
    "14": ("山西", "Shanxi", 3, 5),
    "13": ("河北", "Hebei", 3, 6),
    "12": ("天津", "Tianjin", 3, 7),
    "63": ("青海", "Qinghai", 4, 2),
    "61": ("陕西", "Shaanxi", 4, 4),
    "41": ("河南", "Henan", 4, 5),
    "37": ("山东", "Shandong", 4, 6),
    "54": ("西藏", "Tibet", 5, 1),
    "51": ("四川", "Sichuan", 5, 3),
    "50": ("重庆", "Chongqing", 5, 4),
    "42": ("湖北", "Hubei", 5, 5),
    "34": ("安徽", "Anhui", 5, 6),
    "32": ("江苏", "Jiangsu", 5, 7),
    "53": ("云南", "Yunnan", 6, 3),
    "52": ("贵州", "Guizhou", 6, 4),
    "43": ("湖南", "Hunan", 6, 5),
    "36": ("江西", "Jiangxi", 6, 6),
    "33": ("浙江", "Zhejiang", 6, 7),
    "31": ("上海", "Shanghai", 6, 8),
    "45": ("广西", "Guangxi", 7, 4),
    "44": ("广东", "Guangdong", 7, 5),
    "35": ("福建", "Fujian", 7, 6),
    "71": ("台湾", "Taiwan", 7, 8),
    "46": ("海南", "Hainan", 8, 4),
    "81": ("香港", "Hong Kong", 8, 5),
    "82": ("澳门", "Macao", 8, 6),
}


def tiles(counts: dict[str, int], lang: str) -> list[dict[str, object]]:
    """One tile per province: its name in ``lang``, place, count and shade (0-4, by share of
    the largest count)."""
    top = max(counts.values(), default=0)
    out = []
    for code, (zh, en, row, column) in PROVINCES.items():
        n = counts.get(code, 0)
        name = zh if lang == "zh-CN" else en
        shade = 0 if not n else 1 + min(3, int(4 * n / (top + 1)))
        out.append(
            {
                "code": code + "0000",
                "name": name,
                **_label(name),
                "row": row,
                "column": column,
                "count": n,
                "shade": shade,
            }
        )
    return out


TILE = 54  # a tile's width in the map's units (its height is 49)


def _label(name: str) -> dict[str, object]:
    """How a tile writes ``name``: its lines and font size. A name of two words takes two
    lines ("Inner" / "Mongolia"); a long one a smaller size, so every name is whole: cut to
    a few letters, Guangdong and Guangxi, Jiangsu and Jiangxi read alike."""
    lines = name.split(" ", 1) if " " in name else [name]
    longest = max(len(line) for line in lines)
    # Latin letters of these fonts average about 0.55 of the size; Chinese ones fill it.
    width = longest * (1.0 if not name.isascii() else 0.55)
    size = min(11.0, round((TILE - 6) / width, 1))
    return {"lines": lines, "size": size}
