from ..periods import Convention, Periodicity
from .approval import Aggregate, Approval, ApprovalStatus, Revision
from .indicators import (
    Aggregation,
    Category,
    CategoryCombo,
    CategoryOption,
    Field,
    Indicator,
    IndicatorLevel,
    IndicatorSet,
    ValueType,
)
from .regimes import LEVEL_ORDER, RegimeKind, RegimeStage, ReportingLevel, ReportingRegime
from .signatures import DataSignature, SubmissionSignature
from .submissions import (
    DataValue,
    MissingValues,
    Operator,
    Severity,
    Submission,
    ValidationRule,
)
from .targets import Direction, Target

__all__ = [
    "Aggregate",
    "Approval",
    "ApprovalStatus",
    "Revision",
    "Aggregation",
    "Category",
    "CategoryCombo",
    "CategoryOption",
    "Field",
    "Indicator",
    "IndicatorLevel",
    "IndicatorSet",
    "Periodicity",
    "ValueType",
    "Convention",
    "LEVEL_ORDER",
    "RegimeKind",
    "RegimeStage",
    "ReportingLevel",
    "ReportingRegime",
    "DataValue",
    "Direction",
    "Target",
    "MissingValues",
    "Operator",
    "Severity",
    "Submission",
    "SubmissionSignature",
    "DataSignature",
    "ValidationRule",
]
