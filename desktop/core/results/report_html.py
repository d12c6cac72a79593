"""The report's HTML: `render(data)` turns a `ReportData` (gathered by desktop/core/results/report.py) into one
self-contained page: an inline style sheet, the rating plot as inline SVG (report_svg.py), no
scripts, fonts, images or links. Every text that came from the database is escaped here."""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from desktop import __version__
from desktop.core.results.report_svg import PlotRow, rating_plot
from desktop.core.stats.results import Results
from desktop.core.stats.style_control import FEATURE_WORDS, StyleControl
from desktop.core.stats.verdict import DECISION_WORDS, Verdict, format_number, format_usd
from desktop.core.store.sources import ALL, OWN


# What one report shows. Defined here, beside the page that renders it, so that report.py (which
# gathers it) imports this module and never the other way round; report.py re-exports it.
@dataclass
class ReportData:
    verdict: Verdict
    overall: Results
    per_category: list[Results]
    style: StyleControl | None  # None over imported votes: they have no answer texts
    votes: int  # every vote of the source
    first_vote: str | None
    last_vote: str | None
    generated_at: str


STYLE = """
body { font-family: -apple-system, 'Segoe UI', 'DejaVu Sans', sans-serif; color: #1d1d1f;
  max-width: 1100px; margin: 24px auto; padding: 0 24px; line-height: 1.45; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 34px 0 8px;
  border-bottom: 1px solid #ddd; padding-bottom: 4px; } h3 { font-size: 15px; margin: 18px 0 6px; }
.muted { color: #666; } .small { font-size: 13px; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; margin: 6px 0 4px; }
th, td { padding: 5px 8px; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
th { background: #f6f6f8; font-weight: 600; } td.num, th.num { text-align: right;
  font-variant-numeric: tabular-nums; white-space: nowrap; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-weight: 600;
  font-size: 12.5px; white-space: nowrap; }
.as_good { background: #e3f4e4; color: #1b5e20; } .better { background: #d5eefc; color: #0b4f7c; }
.worse { background: #fde2e1; color: #8e1b16; } .undecided { background: #f1f1f1; color: #555; }
.all-row td { font-weight: 600; }
.pair-row td { background: #f1f4f9; padding-top: 9px; overflow-wrap: anywhere; }
td.name { overflow-wrap: break-word; }
table.fixed { table-layout: fixed; } table.fixed th { white-space: normal; }
.key span { margin-right: 18px; } .swatch { display: inline-block; width: 12px; height: 12px;
  border-radius: 6px; vertical-align: -1px; margin-right: 4px; }
.cards { display: flex; gap: 14px; flex-wrap: wrap; } .card { border: 1px solid #e3e3e3;
  border-radius: 8px; padding: 8px 14px; min-width: 120px; }
.card b { font-size: 22px; display: block; }
"""


def render(data: ReportData) -> str:
    sections = [
        _header(data),
        _verdict_section(data.verdict),
        _plot_section(data),
        _cost_section(data.verdict),
        _categories_section(data.per_category),
        _bias_section(data.overall),
        _style_section(data.style, {c.contender: c for c in data.overall.contenders}),
        _method_section(data.verdict.margin),
    ]
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>Side by Side report: is the open model good enough?</title>"
        f"<style>{STYLE}</style></head><body>\n" + "\n".join(sections)
        + f"\n<p class='muted small'>Made by Side by Side {escape(__version__)} on "
        f"{escape(data.generated_at)}. This file is self-contained.</p>\n</body></html>\n"
    )


def _day(text: str | None) -> str:
    return escape((text or "")[:10]) or "–"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f} %"




def _header(data: ReportData) -> str:
    v = data.verdict
    return (
        "<h1>Is the open model good enough?</h1>"
        "<p class='muted'>A Side by Side report: blind votes between models, per kind of task.</p>"
        "<div class='cards'>"
        f"<div class='card'><b>{data.votes}</b>votes in all</div>"
        f"<div class='card'><b>{v.votes}</b>{'blind ' * (v.source == OWN)}"
        "open-vs-proprietary votes</div>"
        f"<div class='card'><b>{_day(data.first_vote)}</b>first vote</div>"
        f"<div class='card'><b>{_day(data.last_vote)}</b>last vote</div>"
        f"<div class='card'><b>±{v.margin * 100:g} pts</b>margin for “as good”</div>"
        "</div>" + _source_note(v)
    )


def _source_note(v: Verdict) -> str:
    """Whose votes, when not only the user's own (an own report reads as it always has)."""
    if v.source == OWN:
        return ""
    whose = ("your votes and every imported source" if v.source == ALL
             else "the team's votes (aggregated by its server)" if v.source == "team"
             else f"the imported source “{escape(v.source)}”")
    text = (f"<p id='source'>Votes counted: <b>{whose}</b>. Imported votes have no answers, so "
            "they count for the verdict and the ratings but not for cost, speed, position bias "
            "or style control; an imported model's kind comes from your own battles with the "
            "same model, or the price table.")
    if v.left_out_unknown_kind:
        names = ", ".join(escape(n) for n in v.unknown_models[:8])
        more = len(v.unknown_models) - 8
        others = f" and {more} more" if more > 0 else ""
        text += (f" {v.left_out_unknown_kind} imported vote{'s' * (v.left_out_unknown_kind != 1)}"
                 f" left out of the verdict: whether {names}{others} is open or proprietary is "
                 "unknown.")
    return text + "</p>"


def _decision(p) -> str:
    text = DECISION_WORDS[p.decision]
    extra = ""
    if p.votes_needed is not None:
        extra = f" <span class='muted small'>~{p.votes_needed} more votes</span>"
    return f"<span class='badge {p.decision}'>{escape(text)}</span>{extra}"


def _verdict_section(verdict: Verdict) -> str:
    out = ["<h2 id='verdict'>Verdict</h2>"]
    if not verdict.pairs:
        out.append("<p>No blind votes between an open and a proprietary model yet.</p>")
        return "".join(out)
    out.append(
        "<p class='small'>For each pair and kind of task: the open model's win rate (a tie or "
        "“both bad” counts half) with its 95 % interval, and the decision: <b>as good</b> when "
        f"the whole interval lies within ±{verdict.margin * 100:g} points of 50 %, <b>better</b> "
        "or <b>worse</b> when it lies wholly above or below 50 %, otherwise <b>undecided</b>.</p>"
    )
    out.append(
        "<table id='verdict-table'><thead><tr><th>Category</th><th class='num'>Votes</th>"
        "<th class='num'>Open wins</th><th class='num'>Prop. wins</th><th class='num'>Ties</th>"
        "<th class='num'>Both bad</th><th class='num'>Open win rate</th>"
        "<th class='num'>95 % interval</th><th>Decision</th></tr></thead><tbody>"
    )
    pair = None
    for p in verdict.pairs:
        if (p.open, p.proprietary) != pair:  # a heading row per pair
            pair = (p.open, p.proprietary)
            out.append(
                f"<tr class='pair-row'><td colspan='9'>{_side(p.open_model, p.open, 'open')}"
                f" <span class='muted'>vs</span> "
                f"{_side(p.proprietary_model, p.proprietary, 'proprietary')}</td></tr>")
        row_class = " class='all-row'" if p.category == "all" else ""
        out.append(
            f"<tr{row_class}><td>{escape('All categories' if p.category == 'all' else p.category)}"
            f"</td><td class='num'>{p.votes}{_judged(p)}</td><td class='num'>{p.open_wins}</td>"
            f"<td class='num'>{p.proprietary_wins}</td><td class='num'>{p.ties}</td>"
            f"<td class='num'>{p.both_bad}</td><td class='num'>{p.open_win_rate * 100:.1f} %</td>"
            f"<td class='num'>{p.ci_low * 100:.0f}–{p.ci_high * 100:.0f} %</td>"
            f"<td>{_decision(p)}</td></tr>"
        )
    out.append("</tbody></table>")
    if verdict.judge:
        out.append(
            f"<p class='small' id='judge-note'>Rows marked “+ judge” combine your votes with the "
            f"verdicts of the model judge {escape(verdict.judge)} (prediction-powered "
            "inference): the win rate is still yours; ≈N is how many of your votes alone would "
            "give as narrow an interval.</p>")
    return "".join(out)


def _judged(p) -> str:
    """A row that used a judge says so (`verdict --judge`, docs/verdict.md)."""
    if not (p.judged and p.judged.get("judge")):
        return ""
    return f" <span class='muted small'>+ judge (≈{p.judged['effective_votes']})</span>"


def _side(model: str, spec: str, kind: str) -> str:
    """A pair's side: the model's name, with the spec it was run as when that says more."""
    name = model or spec
    extra = f" <span class='muted small'>({escape(spec)})</span>" if spec != name else ""
    return f"<b>{escape(name)}</b> <span class='muted small'>{kind}</span>{extra}"


def _label(c) -> str:
    """A contender's model name, with its spec when that says more (HTML, escaped)."""
    name = c.model or c.contender
    if name == c.contender:
        return escape(name)
    return f"{escape(name)} <span class='muted small'>({escape(c.contender)})</span>"


def _plot_section(data: ReportData) -> str:
    rows = []
    for c in data.overall.contenders:
        styled = data.style.rating_of(c.contender) if data.style is not None else None
        rows.append(PlotRow(
            c.model or c.contender, c.rating, c.rating_low, c.rating_high, c.kind == "open",
            (styled.rating, styled.rating_low, styled.rating_high) if styled else None,
        ))
    return (
        "<h2 id='ratings'>Ratings with 95 % intervals</h2>"
        f"<p class='small muted'>All {data.overall.votes} counted votes (identity leaks left "
        "out). Bradley–Terry on Chatbot Arena's scale: 400 points = 10× the odds, mean 1000 "
        "(dashed line).</p>"
        "<p class='key small'><span><span class='swatch' style='background:#2e7d32'></span>open "
        "model</span><span><span class='swatch' style='background:#1f5fbf'></span>proprietary "
        "model</span><span><span class='swatch' style='background:white;border:2px solid #b35c00;"
        "border-radius:1px;width:7px;height:7px;transform:rotate(45deg)'></span>"
        "style-controlled (thin bar: its 95 % interval)</span></p>"
        + rating_plot(rows)
    )


def _cost_section(verdict: Verdict) -> str:
    rows = [p for p in verdict.pairs if p.category == "all"]
    out = ["<h2 id='cost'>Cost and speed</h2>"]
    if not rows:
        out.append("<p>No open-vs-proprietary votes yet.</p>")
        return "".join(out)
    out.append(
        "<p class='small'>Cost per 1,000 prompts at the token counts seen in these battles and "
        "today's price table; medians of time to first token and tokens per second.</p>"
        "<table class='fixed'><colgroup><col style='width:24%'><col style='width:24%'>"
        "<col><col><col><col></colgroup><thead><tr><th>Open model</th>"
        "<th>Proprietary model</th><th class='num'>Cost per 1,000 prompts, open</th>"
        "<th class='num'>Cost per 1,000 prompts, proprietary</th>"
        "<th class='num'>First token, s (open / prop.)</th>"
        "<th class='num'>Tokens/s (open / prop.)</th></tr></thead><tbody>"
    )
    for p in rows:
        out.append(
            f"<tr><td class='name' title='{escape(p.open)}'>{escape(p.open_model or p.open)}</td>"
            f"<td class='name' title='{escape(p.proprietary)}'>"
            f"{escape(p.proprietary_model or p.proprietary)}</td>"
            f"<td class='num'>{format_usd(p.cost_per_1000['open'], 'unknown')}</td>"
            f"<td class='num'>{format_usd(p.cost_per_1000['proprietary'], 'unknown')}</td>"
            f"<td class='num'>{format_number(p.ttft_s['open'], 2, '–')} / "
            f"{format_number(p.ttft_s['proprietary'], 2, '–')}"
            f"</td><td class='num'>{format_number(p.tokens_per_s['open'], 0, '–')} / "
            f"{format_number(p.tokens_per_s['proprietary'], 0, '–')}</td></tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)


def _ratings_table(res: Results) -> str:
    out = ["<table class='fixed'><colgroup><col style='width:4%'><col style='width:37%'>"
           "<col style='width:10%'><col style='width:8%'><col style='width:11%'>"
           "<col style='width:8%'><col style='width:8%'><col style='width:14%'></colgroup>"
           "<thead><tr><th>#</th><th>Contender</th><th>Kind</th><th class='num'>Rating"
           "</th><th class='num'>95 % interval</th><th class='num'>Win rate</th>"
           "<th class='num'>Battles</th><th class='num'>W / L / T / bad</th></tr></thead><tbody>"]
    for rank, c in enumerate(res.contenders, 1):
        out.append(
            f"<tr><td>{rank}</td><td class='name'>{_label(c)}</td><td>{escape(c.kind)}</td>"
            f"<td class='num'>{c.rating:.0f}</td>"
            f"<td class='num'>{c.rating_low:.0f}–{c.rating_high:.0f}</td>"
            f"<td class='num'>{c.win_rate * 100:.0f} %</td><td class='num'>{c.battles}</td>"
            f"<td class='num'>{c.wins} / {c.losses} / {c.ties} / {c.both_bad}</td></tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)


def _categories_section(per_category: list[Results]) -> str:
    out = ["<h2 id='categories'>Results per category</h2>"]
    if not per_category:
        out.append("<p>No votes yet.</p>")
    for res in per_category:
        out.append(f"<h3>{escape(res.category)} <span class='muted small'>· {res.votes} "
                   f"vote{'s' * (res.votes != 1)}</span></h3>")
        out.append(_ratings_table(res) if res.contenders else
                   "<p class='small muted'>Only battles of a contender against itself.</p>")
    return "".join(out)


def _bias_section(overall: Results) -> str:
    pb = overall.position_bias
    out = ["<h2 id='bias'>Position bias</h2>"]
    if pb.a_share is None:
        out.append("<p>Not enough decisive votes to tell whether the answer shown first wins "
                   "more often.</p>")
        return "".join(out)
    if pb.a_share_low <= 0.5 <= pb.a_share_high:
        reading = "no sign that the position matters"
    elif pb.a_share > 0.5:
        reading = "the answer shown first seems to be favoured"
    else:
        reading = "the answer shown second seems to be favoured"
    out.append(
        f"<p>The answer shown first (A) won <b>{_pct(pb.a_share)}</b> of "
        f"{pb.a_wins + pb.b_wins} decisive votes (95 % interval {_pct(pb.a_share_low)}–"
        f"{_pct(pb.a_share_high)}): {reading}. 50 % is no bias. A {pb.a_wins} · B {pb.b_wins} "
        f"· tie {pb.ties} · both bad {pb.both_bad}.</p>"
    )
    return "".join(out)


def _style_section(style: StyleControl | None, contenders: dict) -> str:
    out = ["<h2 id='style'>Style control</h2>",
           "<p class='small'>Does “the longer, more formatted answer wins” do the work? The "
           "style-controlled ratings (diamonds in the plot) also fit the differences in length "
           "and markdown between the two answers, as Chatbot Arena does; the table says how much "
           "each difference moved the votes, whoever wrote the answer.</p>"]
    if style is None:
        out.append("<p>Style control needs the answers' texts, which only your own battles "
                   "have; make a report of your own votes for it.</p>")
        return "".join(out)
    if not style.ratings:
        out.append("<p>No votes yet.</p>")
        return "".join(out)
    out.append("<table><thead><tr><th>Style difference</th><th class='num'>Odds of being "
               "preferred, per SD</th><th class='num'>95 % interval</th><th>Reading</th></tr>"
               "</thead><tbody>")

    for c in style.coefficients:
        if c.low > 0:
            reading = "more of it wins votes"
        elif c.high < 0:
            reading = "more of it loses votes"
        else:
            reading = "no clear effect"
        out.append(f"<tr><td>{escape(FEATURE_WORDS[c.feature])}</td>"
                   f"<td class='num'>×{c.odds_ratio:.2f}</td>"
                   f"<td class='num'>×{math.exp(c.low):.2f} – ×{math.exp(c.high):.2f}</td>"
                   f"<td>{reading}</td></tr>")
    out.append("</tbody></table><table><thead><tr><th>Contender</th>"
               "<th class='num'>Style-controlled rating</th><th class='num'>95 % interval</th>"
               "<th class='num'>Plain rating</th><th class='num'>95 % interval</th>"
               "</tr></thead><tbody>")
    for r in style.ratings:
        plain = contenders.get(r.contender)
        name = _label(plain) if plain else escape(r.contender)
        plain_cells = (f"<td class='num'>{plain.rating:.0f}</td><td class='num'>"
                       f"{plain.rating_low:.0f}–{plain.rating_high:.0f}</td>" if plain
                       else "<td></td><td></td>")
        out.append(f"<tr><td class='name'>{name}</td><td class='num'>{r.rating:.0f}</td>"
                   f"<td class='num'>{r.rating_low:.0f}–{r.rating_high:.0f}</td>{plain_cells}"
                   "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _method_section(margin: float) -> str:
    return (
        "<h2 id='method'>Method</h2><ul class='small'>"
        "<li><b>What counts.</b> The verdict uses blind votes between an open and a proprietary "
        "model; votes on battles where an answer named a model maker are left out (identity "
        "leaks). The ratings use every vote except identity leaks.</li>"
        "<li><b>Win rate.</b> (open wins + ½ ties + ½ both bad) / votes. “Both bad” counts as a "
        "tie: neither answer was preferred.</li>"
        "<li><b>Interval.</b> Wilson 95 % score interval on that count. Ties make a vote's "
        "score less variable than a coin toss, so the interval errs on the wide side.</li>"
        f"<li><b>Decision.</b> as good: the whole interval within 50 ± {margin * 100:g} points; "
        "else better / worse: the whole interval above / below 50 %; else undecided. "
        "“More votes” assumes future votes split as the votes so far did.</li>"
        "<li><b>Ratings.</b> Bradley–Terry fitted by maximum likelihood with a weak prior "
        "(standard deviation 800 points), 400 points = 10× the odds, mean 1000; 95 % intervals "
        "from 100 bootstrap resamples.</li>"
        "<li><b>Style control.</b> The same model with four more terms: Arena's normalised "
        "differences (a − b)/(a + b) in characters, headers, list items and bold, standardised; "
        "95 % intervals from the curvature of the fit.</li>"
        "<li><b>Cost.</b> Mean cost of one answer × 1,000 at today's prices; a local model costs "
        "nothing to run here (electricity and hardware are not counted).</li>"
        "<li><b>Assumptions.</b> Votes are independent judgements; prompts are representative "
        "of the work you want to move; the voter did not know which side was which.</li></ul>"
    )
