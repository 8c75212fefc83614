#!/usr/bin/env python3
"""Feeds CreditDesk from an ERP's CSV exports through the ERP API (docs/erp.md).

    tools/erp-feed.py --server http://127.0.0.1:8080 --key cdk_... \\
        --customers customers.csv --invoices invoices.csv --payments payments.csv \\
        --check C001:50000.00

The CSV files are what an ERP's receivables export typically holds (UTF-8, with or without the
BOM Excel writes):

    customers.csv  CustomerCode, CustomerName, SalesRep, Region, Industry, Since
    invoices.csv   InvoiceNo, CustomerCode, InvoiceDate, DueDate, Amount
    payments.csv   ReceiptNo, CustomerCode, ReceiptDate, Amount, InvoiceNo

Documents go in batches (--batch, default 1000) and are posted by their numbers, so running the
feed again posts nothing twice. Every refused document is printed with each problem's field and
code. --check asks the order-time credit check for an order of AMOUNT for customer CODE. The
exit status is 1 when a document was refused or a check blocked, else 0. Only the standard
library is used.
"""

import argparse
import csv
import json
import sys
import urllib.error
import urllib.request


def call(server, key, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(server.rstrip("/") + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + key)
    req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def rows(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def customers(path):
    for r in rows(path):
        yield {
            "code": r["CustomerCode"].strip(),
            "name": r["CustomerName"].strip(),
            "sales_rep": r["SalesRep"].strip(),
            "region": r["Region"].strip(),
            "industry": r["Industry"].strip(),
            "first_cooperation": r["Since"].strip(),
        }


def invoices(path):
    for r in rows(path):
        yield {
            "number": r["InvoiceNo"].strip(),
            "customer": r["CustomerCode"].strip(),
            "issue_date": r["InvoiceDate"].strip(),
            "due_date": r["DueDate"].strip(),
            "amount": r["Amount"].strip().replace(",", ""),
        }


def payments(path):
    for r in rows(path):
        doc = {
            "number": r["ReceiptNo"].strip(),
            "customer": r["CustomerCode"].strip(),
            "date": r["ReceiptDate"].strip(),
            "amount": r["Amount"].strip().replace(",", ""),
        }
        if r.get("InvoiceNo", "").strip():
            doc["invoice"] = r["InvoiceNo"].strip()
        yield doc


def feed(args, what, path, docs):
    docs = list(docs)
    totals = {"created": 0, "linked": 0, "updated": 0, "amended": 0, "unchanged": 0, "refused": 0}
    for start in range(0, len(docs), args.batch):
        status, answer = call(args.server, args.key, "POST", f"/api/erp/v1/{what}",
                              {"documents": docs[start:start + args.batch]})
        if status != 200:
            print(f"{what}: the server refused the batch ({status}): {answer}", file=sys.stderr)
            sys.exit(2)
        for k in totals:
            totals[k] += answer[k]
        for r in answer["results"]:
            if r["status"] == "refused":
                for p in r["problems"]:
                    where = f" {p['field']}" if p["field"] else ""
                    print(f"  {path}: {r['number']}{where}: {p['code']} {p['message']}")
    print(f"{what}: {totals['created']} created, {totals['linked']} linked, {totals['updated']} updated, "
          f"{totals['amended']} amended, {totals['unchanged']} unchanged, {totals['refused']} refused")
    return totals["refused"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--server", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--customers")
    ap.add_argument("--invoices")
    ap.add_argument("--payments")
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--check", action="append", default=[], metavar="CODE:AMOUNT")
    args = ap.parse_args()
    bad = 0
    if args.customers:
        bad += feed(args, "customers", args.customers, customers(args.customers))
    if args.invoices:
        bad += feed(args, "invoices", args.invoices, invoices(args.invoices))
    if args.payments:
        bad += feed(args, "payments", args.payments, payments(args.payments))
    for c in args.check:
        code, _, amount = c.partition(":")
        status, answer = call(args.server, args.key, "POST", "/api/erp/v1/credit-check",
                              {"customer": code, "amount": amount})
        if status != 200:
            print(f"check {code} {amount}: {answer['code']} {answer['message']}")
            bad += 1
            continue
        print(f"check {code} {amount}: {answer['outcome']} (available {answer['available']}, "
              f"{answer['micros']} us)")
        for r in answer["reasons"]:
            print(f"  because {r['code']}: {r['text']}")
        for r in answer["remedies"]:
            print(f"  remedy {r['code']}: {r['text']}")
        bad += answer["outcome"] == "block"
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
