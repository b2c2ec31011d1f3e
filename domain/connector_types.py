"""Connector (plug) types, in OCPI 2.2.1's vocabulary (``ConnectorType``), as tariffs already speak OCPI.

A charge point's connectors may say what they are, a vehicle which of them it takes, and a fleet's
charging policy which of them its drivers may use.
"""

from __future__ import annotations

CONNECTOR_TYPES: frozenset[str] = frozenset({
    "CHADEMO", "CHAOJI",
    "DOMESTIC_A", "DOMESTIC_B", "DOMESTIC_C", "DOMESTIC_D", "DOMESTIC_E", "DOMESTIC_F", "DOMESTIC_G",
    "DOMESTIC_H", "DOMESTIC_I", "DOMESTIC_J", "DOMESTIC_K", "DOMESTIC_L", "DOMESTIC_M", "DOMESTIC_N",
    "DOMESTIC_O",
    "GBT_AC", "GBT_DC",
    "IEC_60309_2_single_16", "IEC_60309_2_three_16", "IEC_60309_2_three_32", "IEC_60309_2_three_64",
    "IEC_62196_T1", "IEC_62196_T1_COMBO", "IEC_62196_T2", "IEC_62196_T2_COMBO", "IEC_62196_T3A",
    "IEC_62196_T3C",
    "NEMA_5_20", "NEMA_6_30", "NEMA_6_50", "NEMA_10_30", "NEMA_10_50", "NEMA_14_30", "NEMA_14_50",
    "PANTOGRAPH_BOTTOM_UP", "PANTOGRAPH_TOP_DOWN",
    "TESLA_R", "TESLA_S",
})
MAX_CONNECTOR_TYPE = max(len(name) for name in CONNECTOR_TYPES)


def connector_type_problem(value: object) -> str | None:
    if not isinstance(value, str) or value not in CONNECTOR_TYPES:
        return "must be an OCPI connector type such as IEC_62196_T2 or IEC_62196_T2_COMBO"
    return None


def connector_types_problems(values: object, path: str) -> list[tuple[str, str]]:
    """(field, message) for each fault of a list of connector types: unknown names, names listed twice."""
    if not isinstance(values, (list, tuple)):
        return [(path, "must be a list of OCPI connector types")]
    problems: list[tuple[str, str]] = []
    seen: set[str] = set()
    for i, value in enumerate(values):
        problem = connector_type_problem(value)
        if problem:
            problems.append((f"{path}[{i}]", problem))
        elif value in seen:
            problems.append((f"{path}[{i}]", f"{value} is listed twice"))
        else:
            seen.add(value)
    return problems
