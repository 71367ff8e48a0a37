from .indicators import (
    Aggregation,
    Category,
    CategoryCombo,
    CategoryOption,
    Field,
    Indicator,
    IndicatorLevel,
    IndicatorSet,
    Periodicity,
    ValueType,
)

__all__ = [
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
]
