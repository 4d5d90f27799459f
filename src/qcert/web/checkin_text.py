"""The words of the auditor's phone check-in page, in zh-CN and en."""

from __future__ import annotations

__all__ = ["MESSAGES"]

# key -> (zh-CN, en)
MESSAGES: dict[str, tuple[str, str]] = {
    "phone.title": ("现场签到：{audit}", "On-site check-in: {audit}"),
    "phone.intro": (
        "在审核现场用手机签到或签退：浏览器提供当前位置，拍一张现场照片。时间以服务器记录为准，"
        "不采用手机时间；位置距审核场所超过 5 公里会被标记为异常（国认监〔2021〕3号）。",
        "Check in or out on site with your phone: the browser gives your position and you take "
        "a photo of the site. The time is the server's, never the phone's; a position more than "
        "5 km from the audited site is marked as an anomaly (CNCA 国认监〔2021〕3号).",
    ),
    "phone.audit": ("审核", "Audit"),
    "phone.client": ("受审核组织", "Organisation audited"),
    "phone.days": ("审核日期", "Audit days"),
    "phone.sites": ("审核场所", "Sites audited"),
    "phone.mine": ("我的签到记录", "My check-ins"),
    "phone.none": ("尚无签到记录", "No check-ins yet"),
    "phone.direction": ("签到或签退", "Check in or out"),
    "phone.in": ("签到", "Check in"),
    "phone.out": ("签退", "Check out"),
    "phone.position": ("位置", "Position"),
    "phone.locate": ("重新获取位置", "Get my position again"),
    "phone.waiting": ("正在获取位置……", "Getting your position…"),
    "phone.found": (
        "纬度 {lat}，经度 {lon}（精度约 {acc} 米）",
        "Latitude {lat}, longitude {lon} (accurate to about {acc} m)",
    ),
    "phone.denied": (
        "您拒绝了位置权限，无法签到：请在浏览器设置中允许本网站获取位置后重试。"
        "签到须记录现场位置，不能手工填写。",
        "You refused to share your location, so you cannot check in: allow this site to use "
        "your location in the browser's settings and try again. A check-in records where you "
        "are; it cannot be typed in.",
    ),
    "phone.unavailable": (
        "无法获取位置（定位不可用或超时）：请开启定位服务，到信号较好处重试。",
        "Your position is not available (no location service, or it timed out): turn on "
        "location services, move to where the signal is better and try again.",
    ),
    "phone.unsupported": (
        "此浏览器不支持定位，无法签到。",
        "This browser cannot give a position, so you cannot check in here.",
    ),
    "phone.noscript": (
        "签到需要 JavaScript 和定位权限。",
        "Checking in needs JavaScript and your permission to use your location.",
    ),
    "phone.photo": ("现场照片", "Photo of the site"),
    "phone.photo_hint": (
        "用后置摄像头拍摄（JPEG 或 PNG，不超过 10 MiB）",
        "Taken with the rear camera (JPEG or PNG, at most 10 MiB)",
    ),
    "phone.submit": ("提交", "Submit"),
    "phone.ended": (
        "该审核已结束，不能再签到或签退。",
        "This audit has ended: nobody checks in or out any more.",
    ),
    "phone.back": ("返回认证项目", "Back to the certification"),
    "phone.need_position": (
        "position：未获取到位置，请允许浏览器获取位置后再提交",
        "position: no position yet; allow the browser to share your location, then submit",
    ),
    "phone.need_photo": ("photo：请拍摄现场照片", "photo: take a photo of the site"),
    "phone.too_big": ("photo：照片超过 10 MiB", "photo: the photo is larger than 10 MiB"),
    "phone.accuracy_bad": (
        "accuracy_m：须为 0 至 100000 之间的米数",
        "accuracy_m: must be a number of metres from 0 to 100000",
    ),
}
