"""Label sets of the complaint taxonomy, as data.

The one definition of each label is ``corpora/GUIDELINES.md`` (which follows the team's
shared labeling guide). This module holds the label *values* and their short bilingual
definitions so that the model, the corpus checks, the CLI and the API all agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Cause(StrEnum):
    """What the customer is unhappy about (primary cause)."""

    PRODUCT = "product"
    SERVICE_ATTITUDE = "service_attitude"
    FACILITIES = "facilities"
    EXPECTATIONS = "expectations"
    MALICIOUS = "malicious"


class ComplaintType(StrEnum):
    """What the customer wants (Day 1980): a remedy, to be heard, or to leave."""

    REDRESS = "redress"
    VOICE = "voice"
    EXIT = "exit"


class Language(StrEnum):
    """Language of a text as detected by :func:`analyzer.detect_language`."""

    ZH = "zh"
    EN = "en"
    MIXED = "mixed"
    OTHER = "other"


@dataclass(frozen=True)
class LabelInfo:
    """A label value with its names and one-line definitions in English and Chinese."""

    value: str
    name_en: str
    name_zh: str
    definition_en: str
    definition_zh: str


CAUSE_INFO: dict[Cause, LabelInfo] = {
    Cause.PRODUCT: LabelInfo(
        "product", "Product", "产品问题",
        "The goods or the core service bought fall short in themselves: defects, breakage, "
        "wrong or spoiled items, food quality, delays or cancellations of the service itself.",
        "商品或所购核心服务本身有问题：质量缺陷、损坏、发错或变质、食品口味与卫生、航班延误取消等。",
    ),
    Cause.SERVICE_ATTITUDE: LabelInfo(
        "service_attitude", "Service attitude", "服务态度",
        "How staff and service processes treat the customer: rudeness, indifference, no reply, "
        "passing the buck, slow or botched handling, refunds dragged out.",
        "员工与服务流程如何对待顾客：态度恶劣、冷漠、不回复、推诿、处理慢或出错、退款拖延等。",
    ),
    Cause.FACILITIES: LabelInfo(
        "facilities", "Facilities", "设施环境",
        "The physical or digital environment around the service: rooms, seats, cleanliness, "
        "noise, equipment, ATMs, website, app, booking system.",
        "服务所处的物理或数字环境：房间、座位、卫生、噪音、设备、ATM、网站、App、预订系统等。",
    ),
    Cause.EXPECTATIONS: LabelInfo(
        "expectations", "Expectations", "期望落差",
        "A gap between what was promised, advertised, priced or assumed and what was received: "
        "not as described, hidden fees, unfair terms, broken promises, not worth the price.",
        "承诺、宣传、描述、价格或顾客预期与实际不符：货不对板、隐藏收费、霸王条款、承诺未兑现、性价比低。",
    ),
    Cause.MALICIOUS: LabelInfo(
        "malicious", "Malicious", "恶意投诉",
        "A complaint in bad faith: threats or extortion for undue benefit, fabricated or "
        "self-inflicted problems, pure abuse with no real problem, sabotage, spam.",
        "恶意投诉：以威胁或敲诈谋取不当利益、捏造或自己造成的问题、无实质问题的纯辱骂、恶意竞争、垃圾信息。",
    ),
}

TYPE_INFO: dict[ComplaintType, LabelInfo] = {
    ComplaintType.REDRESS: LabelInfo(
        "redress", "Redress", "索赔求助",
        "The customer seeks a remedy (refund, exchange, repair, compensation, a fix, help) or "
        "takes the matter to a third party to get one, even if it was refused.",
        "顾客寻求补救（退款、换货、维修、赔偿、处理、帮助），或向第三方投诉以求解决，即使被拒绝。",
    ),
    ComplaintType.VOICE: LabelInfo(
        "voice", "Voice", "表达不满",
        "The customer expresses dissatisfaction without asking for a remedy or announcing "
        "exit: venting, criticism, sarcasm, warnings to others, suggestions.",
        "顾客表达不满但不要求补救也不宣布离开：发泄、批评、讽刺、提醒他人、提建议。",
    ),
    ComplaintType.EXIT: LabelInfo(
        "exit", "Exit", "流失离开",
        "The customer will stop or has stopped dealing with the company: never again, "
        "switching to a competitor, cancelling an account or subscription.",
        "顾客将要或已经不再与该公司往来：再也不买、换别家、注销账户、取消会员或订阅。",
    ),
}

#: Precedence when several complaint types apply (labeling guide: redress > exit > voice).
TYPE_PRECEDENCE: tuple[ComplaintType, ...] = (
    ComplaintType.REDRESS,
    ComplaintType.EXIT,
    ComplaintType.VOICE,
)

CAUSES: tuple[str, ...] = tuple(c.value for c in Cause)
TYPES: tuple[str, ...] = tuple(t.value for t in ComplaintType)
