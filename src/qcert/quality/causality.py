"""Root cause ranking that fuses monitoring data with a process cause-and-effect graph.

A process graph (YAML) names the plant's units, its variables (id, name, engineering unit,
process unit, data column), its control loops (controlled variable <-> manipulated variable) and
directed "can affect" edges. Control loops add the controller's edge controlled -> manipulated,
so loops make cycles; they are allowed and reported as strongly connected groups.

The ranking follows the two-step scheme of signed-digraph diagnosis (Iri et al. 1979, J. Chem.
Eng. Japan 12(5):402-406; Maurya, Rengaswamy & Venkatasubramanian 2003, Comput. Chem. Eng.
27:1541-1554): data say which variables deviate and when, the graph keeps only candidates that
can explain them, and contributions (Alcala & Qin 2009, Automatica 45(7):1593-1600) order them.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import yaml
from numpy.typing import ArrayLike

from .inputs_error import InputError

__all__ = [
    "Candidate",
    "GraphError",
    "Loop",
    "ProcessGraph",
    "Variable",
    "load_graph",
    "rank_root_causes",
    "tep_graph",
]


HOP_WEIGHT = 0.5  # evidence a deviation lends a candidate halves with each edge between them


class GraphError(InputError):
    """A process graph breaks a rule; the message names the field and the rule, the Chinese
    (``zh``) names the same field of the file in backquotes."""


@dataclass(frozen=True)
class Variable:
    """One process variable: ``unit`` is its engineering unit, ``column`` its data column."""

    id: str
    name: str
    unit: str
    process_unit: str | None = None
    column: int | None = None


@dataclass(frozen=True)
class Loop:
    """A control loop: the controller moves ``manipulated`` to hold ``controlled``."""

    controlled: str
    manipulated: str


@dataclass(frozen=True)
class ProcessGraph:
    """Variables, loops and "can affect" edges of a process; cycles come from the loops."""

    name: str
    units: Mapping[str, str]
    variables: tuple[Variable, ...]
    loops: tuple[Loop, ...]
    edges: frozenset[tuple[str, str]]
    _children: Mapping[str, tuple[str, ...]] = field(repr=False, compare=False)
    _parents: Mapping[str, tuple[str, ...]] = field(repr=False, compare=False)

    @property
    def ids(self) -> tuple[str, ...]:
        """Variable ids in file order."""
        return tuple(v.id for v in self.variables)

    def variable(self, vid: str) -> Variable:
        """The variable named ``vid``."""
        self._known(vid)
        return next(v for v in self.variables if v.id == vid)

    def by_column(self) -> tuple[str, ...]:
        """Variable ids ordered by their data column (variables without one are left out)."""
        placed = sorted((v.column, v.id) for v in self.variables if v.column is not None)
        return tuple(vid for _, vid in placed)

    def children(self, vid: str) -> tuple[str, ...]:
        """Variables ``vid`` directly affects."""
        self._known(vid)
        return self._children[vid]

    def parents(self, vid: str) -> tuple[str, ...]:
        """Variables that directly affect ``vid``."""
        self._known(vid)
        return self._parents[vid]

    def descendants(self, vid: str) -> frozenset[str]:
        """Variables ``vid`` can affect through one or more edges (itself only on a cycle)."""
        self._known(vid)
        return _reach(vid, self._children)

    def ancestors(self, vid: str) -> frozenset[str]:
        """Variables that can affect ``vid`` through one or more edges."""
        self._known(vid)
        return _reach(vid, self._parents)

    def distances(self, vid: str) -> Mapping[str, int]:
        """Fewest edges from ``vid`` to each variable it can affect (0 for itself)."""
        self._known(vid)
        hops = {vid: 0}
        queue = deque([vid])
        while queue:
            node = queue.popleft()
            for nxt in self._children[node]:
                if nxt not in hops:
                    hops[nxt] = hops[node] + 1
                    queue.append(nxt)
        return hops

    def paths(self, source: str, target: str, max_length: int = 6) -> list[tuple[str, ...]]:
        """Simple propagation paths source -> target with at most ``max_length`` edges."""
        self._known(source)
        self._known(target)
        found: list[tuple[str, ...]] = []
        stack: list[tuple[str, ...]] = [(source,)]
        while stack:
            path = stack.pop()
            for nxt in self._children[path[-1]]:
                if nxt == target:
                    found.append((*path, nxt))
                elif nxt not in path and len(path) < max_length:
                    stack.append((*path, nxt))
        return sorted(found, key=lambda p: (len(p), p))

    @property
    def cycles(self) -> tuple[tuple[str, ...], ...]:
        """Groups of variables that affect each other (strongly connected, 2 or more members)."""
        seen: set[str] = set()
        groups = []
        for vid in self.ids:
            if vid in seen:
                continue
            group = (self.descendants(vid) & self.ancestors(vid)) | {vid}
            seen |= group
            if len(group) > 1:
                groups.append(tuple(v for v in self.ids if v in group))
        return tuple(groups)

    def _known(self, vid: str) -> None:
        if vid not in self._children:
            raise GraphError(f"variable: unknown id {vid!r}", f"过程因果图中没有变量 {vid!r}")


def _reach(start: str, step: Mapping[str, tuple[str, ...]]) -> frozenset[str]:
    seen: set[str] = set()
    queue = deque(step[start])
    while queue:
        node = queue.popleft()
        if node not in seen:
            seen.add(node)
            queue.extend(step[node])
    return frozenset(seen)


# ------------------------------------------------------------------------------- loading


def load_graph(source: str | Path | Mapping[str, object]) -> ProcessGraph:
    """Read and validate a process graph from a YAML file, YAML text or a parsed mapping.

    Raises :class:`GraphError` naming the field (e.g. ``edges[3].to``) and the rule broken:
    missing fields, duplicate or unknown ids, duplicate columns.
    """
    if isinstance(source, Mapping):
        doc: object = source
    elif isinstance(source, Path) or (isinstance(source, str) and "\n" not in source):
        doc = _yaml(Path(source).read_text(encoding="utf-8"))
    else:
        doc = _yaml(source)
    if not isinstance(doc, Mapping):
        raise GraphError(
            "graph: must be a mapping with variables, loops and edges",
            "过程因果图须为映射，含变量 `variables`、控制回路 `loops` 与因果边 `edges`",
        )
    units = _units(doc.get("units", []))
    variables = _variables(doc.get("variables"), units)
    ids = {v.id for v in variables}
    loops = _loops(doc.get("loops", []), ids)
    edges = _edges(doc.get("edges", []), ids)
    edges |= {(lp.controlled, lp.manipulated) for lp in loops}
    children = {v: tuple(sorted(b for a, b in edges if a == v)) for v in ids}
    parents = {v: tuple(sorted(a for a, b in edges if b == v)) for v in ids}
    return ProcessGraph(
        str(doc.get("name", "")), units, variables, loops, frozenset(edges), children, parents
    )


def _yaml(text: str) -> object:
    """The parsed document; a syntax error is the graph's error, with the line it is on."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f"line {mark.line + 1}" if mark is not None else "somewhere"
        line_zh = f"第 {mark.line + 1} 行" if mark is not None else "某处"
        raise GraphError(
            f"graph: not valid YAML ({line}: {getattr(err, 'problem', None) or err})",
            f"不是有效的 YAML：{line_zh}有语法错误",
        ) from None


def tep_graph() -> ProcessGraph:
    """The Tennessee Eastman process graph shipped with qcert (``quality/graphs/tep.yaml``)."""
    text = resources.files("qcert.quality").joinpath("graphs/tep.yaml").read_text("utf-8")
    return load_graph(yaml.safe_load(text))


def _list(value: object, name: str) -> list[Mapping[str, object]]:
    if not isinstance(value, list) or not all(isinstance(x, Mapping) for x in value):
        raise GraphError(f"{name}: must be a list of mappings", f"`{name}` 须为映射的列表")
    return value


def _text(item: Mapping[str, object], key: str, where: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value:
        raise GraphError(f"{where}.{key}: required text", f"`{where}.{key}` 须为非空文本")
    return value


def _units(value: object) -> dict[str, str]:
    units: dict[str, str] = {}
    for i, item in enumerate(_list(value, "units")):
        uid = _text(item, "id", f"units[{i}]")
        if uid in units:
            raise GraphError(
                f"units[{i}].id: duplicate id {uid!r}", f"`units[{i}].id`：标识 {uid!r} 重复"
            )
        units[uid] = str(item.get("name", uid))
    return units


def _variables(value: object, units: Mapping[str, str]) -> tuple[Variable, ...]:
    items = _list(value, "variables")
    if not items:
        raise GraphError(
            "variables: at least one variable is required", "`variables` 中至少需要一个变量"
        )
    out: list[Variable] = []
    ids: set[str] = set()
    columns: set[int] = set()
    for i, item in enumerate(items):
        where = f"variables[{i}]"
        vid = _text(item, "id", where)
        if vid in ids:
            raise GraphError(
                f"{where}.id: duplicate id {vid!r}", f"`{where}.id`：标识 {vid!r} 重复"
            )
        unit_of = item.get("process_unit")
        if unit_of is not None and unit_of not in units:
            raise GraphError(
                f"{where}.process_unit: unknown unit {unit_of!r}",
                f"`{where}.process_unit`：没有工艺单元 {unit_of!r}",
            )
        column = item.get("column")
        if column is not None and (not isinstance(column, int) or column < 0 or column in columns):
            raise GraphError(
                f"{where}.column: must be a distinct integer >= 0",
                f"`{where}.column` 须为不小于 0 且不与其他变量重复的整数",
            )
        ids.add(vid)
        if column is not None:
            columns.add(column)
        unit = str(item.get("unit", ""))
        process_unit = None if unit_of is None else str(unit_of)
        out.append(Variable(vid, str(item.get("name", vid)), unit, process_unit, column))
    return tuple(out)


def _loops(value: object, ids: set[str]) -> tuple[Loop, ...]:
    loops = []
    for i, item in enumerate(_list(value, "loops")):
        ends = [_text(item, key, f"loops[{i}]") for key in ("controlled", "manipulated")]
        for key, vid in zip(("controlled", "manipulated"), ends, strict=True):
            if vid not in ids:
                raise GraphError(
                    f"loops[{i}].{key}: unknown variable {vid!r}",
                    f"`loops[{i}].{key}`：没有变量 {vid!r}",
                )
        loops.append(Loop(*ends))
    return tuple(loops)


def _edges(value: object, ids: set[str]) -> set[tuple[str, str]]:
    edges: set[tuple[str, str]] = set()
    for i, item in enumerate(_list(value, "edges")):
        source = _text(item, "from", f"edges[{i}]")
        if source not in ids:
            raise GraphError(
                f"edges[{i}].from: unknown variable {source!r}",
                f"`edges[{i}].from`：没有变量 {source!r}",
            )
        targets = item.get("to")
        targets = [targets] if isinstance(targets, str) else targets
        if not isinstance(targets, list) or not targets:
            raise GraphError(
                f"edges[{i}].to: required variable id or list of ids",
                f"`edges[{i}].to` 须为变量标识或标识的列表",
            )
        for target in targets:
            if target not in ids:
                raise GraphError(
                    f"edges[{i}].to: unknown variable {target!r}",
                    f"`edges[{i}].to`：没有变量 {target!r}",
                )
            if target == source:
                raise GraphError(
                    f"edges[{i}].to: a variable cannot affect itself ({source!r})",
                    f"`edges[{i}].to`：变量不能影响自身（{source!r}）",
                )
            edges.add((source, str(target)))
    return edges


# ------------------------------------------------------------------------------- ranking


@dataclass(frozen=True)
class Candidate:
    """A ranked root-cause candidate and the evidence behind its score (all in [0, 1])."""

    variable: str
    score: float
    contribution: float  # ρ: mean contribution relative to the largest one
    explained: float  # share of the deviating variables it can reach
    precedence: float  # share of its deviating descendants that deviated no earlier
    first_deviation: float  # readings; inf when it did not deviate


def rank_root_causes(
    contributions: ArrayLike,
    first_deviation_times: ArrayLike,
    graph: ProcessGraph,
    alarm_variables: Sequence[str],
    *,
    tolerance: float = 0.0,
) -> tuple[Candidate, ...]:
    """Candidate root causes, best first, from data evidence and the process graph.

    ``contributions``: per-variable evidence of the m variables, one row or the readings of a
    window after the alarm (n x m, averaged, NaN rows skipped): reconstruction-based
    contributions (RBC), or the squared residuals of the graph's local mechanism models
    (:meth:`qcert.quality.mechanism.MechanismModel.contributions`), which fuse the graph in
    already and do not blame a variable that only follows its causes.
    ``first_deviation_times``: reading at which each variable first deviated (inf or NaN: did
    not). ``alarm_variables``: the graph ids of the m columns, in order. ``tolerance``: readings
    within which a variable still counts among the first to deviate.

    Scoring, with D the deviating variables, t0 = min t over D, F = {i in D: t_i <= t0 + tol}:

    - candidates K: variables equal to or upstream of a member of F (graph ancestors); with no
      deviation at all every column is a candidate;
    - ρ_c = C_c / max_i C_i with C the mean contribution (data evidence);
    - e_c = Σ_{j in D reachable from c} ½^{d(c, j)} / |D|, d the fewest edges from c to j
      (0 for c itself): how much of the deviating set short propagation paths from c explain;
    - p_c = mean over j in desc(c) ∩ D, j != c, of 1[t_j > t_c] + ½·1[t_j = t_c] (did c move
      before what it can affect); ½ when c has no deviating descendant, 0 when c did not
      deviate;
    - score_c = ρ_c · (1 + e_c)/2 · (1 + p_c)/2, in [0, 1]; ties keep column order.

    The restriction to K is the consistency step of signed-digraph diagnosis (Iri et al. 1979);
    e and p weigh the propagation evidence (Maurya et al. 2003, §3).
    """
    m = len(alarm_variables)
    c = np.asarray(contributions, dtype=float)
    c = c.reshape(1, -1) if c.ndim == 1 else c
    if c.ndim != 2 or c.shape[1] != m:
        raise InputError(
            f"contributions: must have {m} columns, one per alarm variable",
            f"贡献须有 {m} 列，每个报警变量一列",
        )
    t = np.asarray(first_deviation_times, dtype=float).reshape(-1)
    if t.shape[0] != m:
        raise InputError(
            f"first_deviation_times: must hold {m} values, one per alarm variable",
            f"首次偏离时刻须有 {m} 个，每个报警变量一个",
        )
    for vid in alarm_variables:
        if vid not in graph.ids:
            raise GraphError(
                f"alarm_variables: unknown variable {vid!r}", f"过程因果图中没有报警变量 {vid!r}"
            )
    t = np.where(np.isfinite(t), t, math.inf)
    finite_rows = c[np.all(np.isfinite(c), axis=1)]
    mean = finite_rows.mean(axis=0) if finite_rows.size else np.zeros(m)
    rho = mean / mean.max() if mean.max() > 0 else np.zeros(m)
    column = {vid: i for i, vid in enumerate(alarm_variables)}
    deviated = {vid for vid in alarm_variables if math.isfinite(t[column[vid]])}
    if deviated:
        t0 = min(t[column[v]] for v in deviated)
        first = {v for v in deviated if t[column[v]] <= t0 + tolerance}
        upstream = set(first).union(*(graph.ancestors(v) for v in first))
        candidates = [v for v in alarm_variables if v in upstream]
    else:
        candidates = list(alarm_variables)
    ranked = [_candidate(v, graph, rho, t, column, deviated) for v in candidates]
    return tuple(sorted(ranked, key=lambda k: -k.score))


def _candidate(
    vid: str,
    graph: ProcessGraph,
    rho: np.ndarray,
    t: np.ndarray,
    column: Mapping[str, int],
    deviated: set[str],
) -> Candidate:
    i = column[vid]
    hops = graph.distances(vid)
    reach = set(hops) & deviated
    explained = sum(HOP_WEIGHT ** hops[j] for j in reach) / len(deviated) if deviated else 0.0
    later = [t[column[j]] for j in reach - {vid}]
    if not math.isfinite(t[i]):
        precedence = 0.0
    elif not later:
        precedence = 0.5
    else:
        precedence = float(
            np.mean([1.0 if tj > t[i] else 0.5 if tj == t[i] else 0.0 for tj in later])
        )
    score = float(rho[i]) * (1 + explained) / 2 * (1 + precedence) / 2
    return Candidate(vid, score, float(rho[i]), explained, precedence, float(t[i]))
