"""The workspace's words in zh-CN and en, and which language a request wants.

Every string a workspace page shows is a key here with both languages, so a
page can never show one language only; tests check the catalogue is complete.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request

__all__ = ["LANGS", "MESSAGES", "lang_of", "translator"]

LANGS = ("zh-CN", "en")
LANG_COOKIE = "qcert_lang"

# key -> (zh-CN, en)
MESSAGES: dict[str, tuple[str, str]] = {
    "app.name": ("质量认证数字化平台", "Quality certification platform"),
    "nav.home": ("工作台", "Workspace"),
    "nav.verify": ("证书查验", "Verify a certificate"),
    "nav.transparency": ("账本公示", "Ledger transparency"),
    "nav.signin": ("登录", "Sign in"),
    "nav.signout": ("退出", "Sign out"),
    "nav.language": ("English", "中文"),
    "nav.skip": ("跳到正文", "Skip to content"),
    "signin.title": ("登录", "Sign in"),
    "signin.username": ("用户名", "Username"),
    "signin.password": ("密码", "Password"),
    "signin.submit": ("登录", "Sign in"),
    "signin.failed": ("用户名或密码错误", "Wrong username or password"),
    "signin.throttled": ("失败次数过多，请稍后再试", "Too many failed sign-ins; try again later"),
    "signin.missing": ("请填写用户名和密码", "Enter your username and password"),
    "signin.wait": ("请在 {seconds} 秒后再试。", "Try again in {seconds} s."),
    "nav.account": ("我的账号", "My account"),
    "account.title": ("我的账号", "My account"),
    "account.password": ("修改密码", "Change the password"),
    "account.current": ("当前密码", "Current password"),
    "account.new": ("新密码（至少 12 个字符）", "New password (at least 12 characters)"),
    "account.again": ("再次输入新密码", "New password again"),
    "account.password_note": (
        "修改密码后，本账号在其他设备和程序上的会话将全部结束。",
        "Changing the password ends this account's sessions everywhere else.",
    ),
    "account.change": ("修改密码", "Change the password"),
    "account.sessions": ("会话", "Sessions"),
    "account.sessions_note": (
        "结束本账号的全部会话（包括此会话与 API 令牌）；API 密钥需单独吊销。",
        "End every session of this account (this one and API tokens too); API keys are "
        "revoked on their own.",
    ),
    "account.everywhere": ("在所有设备上退出", "Sign out everywhere"),
    "account.done.password": (
        "密码已修改，其他会话已结束。",
        "Password changed; other sessions ended.",
    ),
    "account.done.sessions": ("所有会话已结束。", "Every session ended."),
    "join.link": ("收到邀请码？加入组织", "Have an invitation code? Join an organisation"),
    "join.title": ("凭邀请码加入组织", "Join an organisation with an invitation"),
    "join.intro": (
        "输入组织管理员给您的邀请码，并创建您的账号。邀请码只能使用一次。",
        "Enter the code an organisation's administrator gave you and create your account. "
        "A code works once.",
    ),
    "join.intro_signed_in": (
        "输入邀请码，该组织的角色将加入您当前的账号。",
        "Enter the code; the organisation's role is added to the account you are signed in as.",
    ),
    "join.code": ("邀请码", "Invitation code"),
    "join.account_id": (
        "账号（2-64 个小写字母、数字、'.'、'_' 或 '-'）",
        "Account id (2-64 of a-z, 0-9, '.', '_', '-')",
    ),
    "join.display_name": ("姓名", "Your name"),
    "join.submit": ("加入", "Join"),
    "csrf.refused": (
        "表单已过期或来源不明，请刷新页面后重试",
        "The form expired or did not come from this site; reload the page and try again",
    ),
    "forbidden.title": ("无权访问", "Not allowed"),
    "forbidden.body": (
        "您的角色无权查看此页面或此记录。",
        "Your roles do not allow you to see this page or this record.",
    ),
    "notfound.title": ("未找到", "Not found"),
    "notfound.body": (
        "没有这条记录，或您无权知道它。",
        "There is no such record, or none you may know of.",
    ),
    "home.title": ("工作台", "Workspace"),
    "home.bodies": ("认证机构", "Certification bodies"),
    "home.clients": ("获证组织", "Organisations"),
    "home.roles": ("您的角色", "Your roles"),
    "home.none": (
        "您的账户还没有任何角色，请联系管理员。",
        "Your account has no roles yet; ask an administrator.",
    ),
    "transparency.title": ("账本公示", "Ledger transparency"),
    "transparency.intro": (
        "平台的每个事件都是仅追加 Merkle 日志的叶子。"
        "以下是最新签名检查点与验证密钥，任何人都可离线核验。",
        "Every event of the platform is a leaf of an append-only Merkle log. "
        "Here are its latest signed checkpoint and verifier keys; anyone can check them offline.",
    ),
    "transparency.size": ("日志条目数", "Entries in the log"),
    "transparency.checkpoint": ("最新检查点（SHA-256 树）", "Latest checkpoint (SHA-256 tree)"),
    "transparency.checkpoint_sm3": ("最新检查点（SM3 树）", "Latest checkpoint (SM3 tree)"),
    "transparency.keys": ("验证密钥", "Verifier keys"),
    "transparency.how": ("如何核验", "How to check"),
    "transparency.download": ("下载检查点", "Download the checkpoint"),
}


def lang_of(request: Request) -> str:
    """The language chosen with the switch, else the browser's first preference we speak."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGS:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("en"):
            return "en"
        if tag.startswith("zh"):
            return "zh-CN"
    return "zh-CN"


def translator(lang: str, extra: dict[str, tuple[str, str]] | None = None) -> Callable[..., str]:
    """``t(key, **values)`` in ``lang``; an unknown key raises, so no page shows a raw key."""
    position = 0 if lang == "zh-CN" else 1
    catalogue = {**MESSAGES, **(extra or {})}

    def t(key: str, **values: object) -> str:
        text = catalogue[key][position]
        return text.format(**values) if values else text

    return t
