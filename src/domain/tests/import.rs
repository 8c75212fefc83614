//! The CSV import, named as sentences: decoding, delimiters, values, mappings, and the checks of
//! every kind of row against a small stored database.

use creditdesk_domain::approval::{Role, User};
use creditdesk_domain::id::{DeviceId, Timestamp};
use creditdesk_domain::import::*;
use creditdesk_domain::*;
use proptest::prelude::*;
use std::collections::BTreeMap;

const TODAY: &str = "2026-11-28";
const C1: CustomerId = CustomerId::from_u128(1);
const C2: CustomerId = CustomerId::from_u128(2);
const C1_NAME: &str = "杭州华信机械有限公司";
const C2_USCC: &str = "91110000600037341L";

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}
fn y(units: i64) -> Money {
    Money::from_units(units)
}
fn meta() -> Meta {
    Meta::new(DeviceId::from_u128(9), Timestamp(1_700_000_000_000))
}
fn no(s: &str) -> DocNo {
    DocNo::parse(s).unwrap()
}

fn customer(id: u128, name: &str, uscc: &str) -> Customer {
    CustomerInput {
        name: name.into(),
        uscc: uscc.into(),
        region: "华东".into(),
        industry: "机械".into(),
        sales_rep: "李伟".into(),
        first_cooperation: "2020-01-01".into(),
        ..Default::default()
    }
    .validate(CustomerId::from_u128(id), meta(), BTreeMap::new(), d(TODAY))
    .unwrap()
}

fn invoice(n: u128, c: CustomerId, number: &str, issue: &str, term: i32, units: i64) -> Invoice {
    Invoice {
        id: InvoiceId::from_u128(n),
        meta: meta(),
        customer: c,
        order: None,
        number: no(number),
        issue_date: d(issue),
        due_date: d(issue).add_days(term),
        amount: y(units),
    }
}

fn order(n: u128, c: CustomerId, number: &str) -> Order {
    Order {
        id: OrderId::from_u128(n),
        meta: meta(),
        customer: c,
        number: no(number),
        category: None,
        date: d("2026-01-05"),
        amount: y(100),
        status: OrderStatus::Open,
    }
}

/// Stored: two customers (C1 by name, C2 = Acme), two customers sharing a name; invoices
/// INV-1 (C1, 1000, 400 paid: 600 open), INV-2 (C1, 500, credit note CN-1 of 100: 400 open),
/// INV-3 (C2, 700 open); orders SO-1 (C1) and SO-2 (C2).
fn stored() -> (Vec<Customer>, Ledger) {
    let customers = vec![
        customer(1, C1_NAME, "91350100M000100Y43"),
        customer(2, "Acme Trading Ltd", C2_USCC),
        customer(3, "重名公司", ""),
        customer(4, "重名公司", ""),
    ];
    let i1 = InvoiceId::from_u128(101);
    let i2 = InvoiceId::from_u128(102);
    let ledger = Ledger::from_entries(
        [order(201, C1, "SO-1"), order(202, C2, "SO-2")],
        vec![
            invoice(101, C1, "INV-1", "2026-01-10", 30, 1000),
            invoice(102, C1, "INV-2", "2026-02-10", 30, 500),
            invoice(103, C2, "INV-3", "2026-03-01", 60, 700),
        ],
        vec![Payment {
            id: PaymentId::from_u128(301),
            meta: meta(),
            customer: C1,
            reference: None,
            date: d("2026-02-20"),
            amount: y(400),
            allocations: vec![Allocation {
                invoice: i1,
                amount: y(400),
            }],
        }],
        vec![CreditNote {
            id: CreditNoteId::from_u128(401),
            meta: meta(),
            customer: C1,
            invoice: Some(i2),
            number: no("CN-1"),
            date: d("2026-02-15"),
            amount: y(100),
        }],
        Vec::new(),
    );
    (customers, ledger)
}

/// The user directory: 李伟 and 王芳 are reps; two users share the name 陈静.
fn users() -> Vec<User> {
    let u = |id: &str, name: &str| User {
        id: id.into(),
        name: name.into(),
        roles: vec![Role::SalesRep],
        region: "华东".into(),
    };
    vec![
        u("rep-li", "李伟"),
        u("rep-wang", "王芳"),
        u("rep-chen-1", "陈静"),
        u("rep-chen-2", "陈静"),
    ]
}

fn counter() -> impl FnMut() -> u128 {
    let mut next = 10_000u128;
    move || {
        next += 1;
        next
    }
}

/// The whole pipeline on a file's bytes, with the guessed mapping.
fn import(kind: Kind, bytes: &[u8]) -> (Table, Mapping, Plan) {
    let decoded = decode(bytes);
    let table = read_table(&decoded.text, sniff_delimiter(&decoded.text)).unwrap();
    let mapping = guess_mapping(kind, &table.headers);
    let (customers, ledger) = stored();
    let ctx = Context {
        customers: &customers,
        users: &users(),
        ledger: &ledger,
        meta: meta(),
        fields: &Default::default(),
    };
    let plan = validate(kind, &table, &mapping, &ctx, &mut counter(), d(TODAY));
    // Every file is also checked a row, two and three rows a step, to the same plan.
    for rows in [1, 2, 3] {
        let mut check = Check::new(kind, &table, &mapping, &ctx, d(TODAY));
        let mut ids = counter();
        let mut steps = 1;
        while !check.step(&table, &ctx, &mut ids, rows) {
            steps += 1;
            assert_eq!(check.rows_checked(), rows * (steps - 1));
        }
        assert_eq!(check.rows_checked(), table.rows.len());
        assert!(steps <= table.rows.len().div_ceil(rows).max(1));
        assert_eq!(
            check.finish(&table, &ctx, &mut ids),
            plan,
            "{kind:?} checked {rows} rows a step"
        );
    }
    (table, mapping, plan)
}

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/import/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(path).unwrap()
}

/// `(row, column, code)` of every problem, in order.
fn problems(plan: &Plan) -> Vec<(u64, String, &'static str)> {
    plan.problems
        .iter()
        .map(|p| {
            (
                p.row,
                p.column.clone().unwrap_or_default(),
                p.problem.code(),
            )
        })
        .collect()
}

fn expect(list: &[(u64, &str, &str)]) -> Vec<(u64, String, &'static str)> {
    list.iter()
        .map(|&(r, c, code)| {
            let code = ImportProblem::CODES
                .iter()
                .find(|k| **k == code)
                .unwrap_or_else(|| panic!("unknown code {code}"));
            (r, c.to_string(), *code)
        })
        .collect()
}

fn problem_at(plan: &Plan, row: u64, code: &str) -> ImportProblem {
    plan.problems
        .iter()
        .find(|p| p.row == row && p.problem.code() == code)
        .unwrap_or_else(|| panic!("no {code} at row {row}"))
        .problem
}

fn assert_partition(plan: &Plan) {
    assert_eq!(
        plan.records.len() + plan.rows_in_error.len(),
        plan.rows_total,
        "every row is a record or in error"
    );
    for r in &plan.records.rows {
        assert!(
            !plan.rows_in_error.contains(r),
            "row {r} both kept and in error"
        );
    }
}

// ----- Decoding -----

#[test]
fn utf8_with_or_without_a_mark_and_gbk_come_back_as_the_same_text() {
    let text = "客户名称,发票号码,金额\n杭州华信,INV-1,\"1,234.50\"\n";
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(text.as_bytes());
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let cases: [(&[u8], SourceEncoding); 4] = [
        (text.as_bytes(), SourceEncoding::Utf8),
        (&bom, SourceEncoding::Utf8Bom),
        (&gbk, SourceEncoding::Gbk),
        (&utf16, SourceEncoding::Utf16Le),
    ];
    for (bytes, encoding) in cases {
        let decoded = decode(bytes);
        assert_eq!(decoded.text, text, "{encoding:?}");
        assert_eq!(decoded.encoding, encoding);
        assert!(!decoded.replaced, "{encoding:?}");
    }
}

#[test]
fn malformed_gbk_bytes_are_replaced_and_said_so() {
    let decoded = decode(b"a,b\n\x81\x20,c\n");
    assert_eq!(decoded.encoding, SourceEncoding::Gbk);
    assert!(decoded.replaced);
    assert!(decoded.text.contains('\u{FFFD}'));
}

#[test]
fn an_empty_file_is_an_empty_utf8_text_and_has_no_header() {
    let decoded = decode(b"");
    assert_eq!(decoded.encoding, SourceEncoding::Utf8);
    assert_eq!(
        read_table(&decoded.text, b','),
        Err(ImportProblem::EmptyFile)
    );
    assert_eq!(
        read_table("\n\r\n ,  ,\n", b','),
        Err(ImportProblem::EmptyFile)
    );
}

// ----- Delimiters and rows -----

#[test]
fn the_delimiter_is_the_one_that_splits_the_header_consistently() {
    let cases = [
        ("a,b,c\n1,2,3\n", b','),
        ("a;b;c\n1;\"2,5\";3\n", b';'),
        ("a\tb\tc\n1,5\t2;3\t3\n", b'\t'),
        // Commas inside quotes do not count.
        ("\"a,x\";b\n\"1,2\";3\n", b';'),
        // Amounts with decimal commas in a semicolon file.
        ("Name;Amount\nA;1,50\nB;2,75\n", b';'),
        // A comma in a tab file's header text, not in its rows.
        ("Amount (CNY, gross)\tName\n1\tA\n2\tB\n", b'\t'),
        // One column only: comma.
        ("name\nA\n", b','),
        ("", b','),
    ];
    for (text, expected) in cases {
        assert_eq!(sniff_delimiter(text) as char, expected as char, "{text:?}");
    }
}

#[test]
fn quoted_fields_keep_delimiters_doubled_quotes_and_line_breaks() {
    for delim in [b',', b';', b'\t'] {
        let s = delim as char;
        let text = format!(
            " Name {s}Note{s}Amount\r\n\"A{s} Ltd\"{s}\"say \"\"hi\"\"\"{s}1\r\n\"B\"{s}\"two\nlines\"{s}2\r\n\r\nC{s}x{s}3\r\n"
        );
        assert_eq!(sniff_delimiter(&text), delim);
        let t = read_table(&text, delim).unwrap();
        assert_eq!(t.headers, ["Name", "Note", "Amount"]);
        assert_eq!(
            t.rows,
            [
                [format!("A{s} Ltd"), "say \"hi\"".into(), "1".into()],
                ["B".into(), "two\nlines".into(), "2".into()],
                ["C".into(), "x".into(), "3".into()],
            ]
        );
        // Header row 1; B starts on row 3 and spans 3-4; a blank line 5; C on row 6.
        assert_eq!(t.line_of_row, [2, 3, 6]);
        assert_eq!(t.header_line, 1);
    }
}

#[test]
fn row_numbers_follow_the_file_lines_through_blank_lines_and_line_ends() {
    let cases: [(&str, &[u64]); 5] = [
        ("h\n1\n2\n", &[2, 3]),
        ("\n\nh\n1\n\n\n2\n", &[4, 7]),
        ("h\r\n1\r\n\r\n2\r\n", &[2, 4]),
        ("h\r1\r\r2\r", &[2, 4]),
        ("h,x\n1,\"a\n\nb\"\n2,c\n,,\n3,d", &[2, 5, 7]),
    ];
    for (text, lines) in cases {
        let t = read_table(text, b',').unwrap();
        assert_eq!(t.line_of_row, lines, "{text:?}");
    }
    let t = read_table("\n\nh\n1\n", b',').unwrap();
    assert_eq!(t.header_line, 3);
}

#[test]
fn ragged_rows_are_padded_and_wider_rows_add_unnamed_columns() {
    let t = read_table("a,b,c\n1\n1,2,3,4\n", b',').unwrap();
    assert_eq!(t.headers, ["a", "b", "c", ""]);
    assert_eq!(t.rows[0], ["1", "", "", ""]);
    assert_eq!(t.rows[1], ["1", "2", "3", "4"]);
}

// ----- Values -----

fn check_date(input: &str, format: DateFormat, expected: Result<&str, &str>) {
    let got = parse_date(input, format).map_err(|p| p.code());
    let expected = expected.map(d);
    assert_eq!(got, expected, "{input:?} as {format:?}");
}

#[test]
fn dates_are_read_in_the_chosen_format() {
    use DateFormat::*;
    let cases: &[(&str, DateFormat, Result<&str, &str>)] = &[
        ("2026-01-05", Auto, Ok("2026-01-05")),
        ("2026/1/5", Auto, Ok("2026-01-05")),
        ("2026.1.5", Ymd, Ok("2026-01-05")),
        ("2026年1月5日", Auto, Ok("2026-01-05")),
        ("２０２６－０１－０５", Auto, Ok("2026-01-05")),
        ("20260105", Auto, Ok("2026-01-05")),
        (" 2026/1/5 0:00 ", Auto, Ok("2026-01-05")),
        ("2026-01-05T08:30:00", Auto, Ok("2026-01-05")),
        ("2024-02-29", Auto, Ok("2024-02-29")),
        ("2023-02-29", Auto, Err("I-DATE")),
        ("2026-13-01", Auto, Err("I-DATE")),
        ("1850-01-01", Auto, Err("I-DATE-RANGE")),
        ("2201-01-01", Auto, Err("I-DATE-RANGE")),
        ("", Auto, Err("I-REQUIRED")),
        ("yesterday", Auto, Err("I-DATE")),
        ("2026-01-05 noon", Auto, Err("I-DATE")),
        ("26-1-5", Auto, Err("I-DATE")),
        ("2026/1-5", Auto, Err("I-DATE")),
        // Day/month first: the format must say which.
        ("5/1/2026", Auto, Err("I-DATE-FORMAT")),
        ("5/1/2026", Ymd, Err("I-DATE")),
        ("5/1/2026", Dmy, Ok("2026-01-05")),
        ("5.1.2026", Dmy, Ok("2026-01-05")),
        ("1/5/2026", Mdy, Ok("2026-01-05")),
        ("1/5/2026 12:00", Mdy, Ok("2026-01-05")),
        ("13/5/2026", Mdy, Err("I-DATE")),
        ("31/12/2026", Dmy, Ok("2026-12-31")),
        ("2026-01-05", Dmy, Ok("2026-01-05")),
        // Excel serials, only when the format says so.
        ("45000", Auto, Err("I-DATE-FORMAT")),
        ("45000", Ymd, Err("I-DATE")),
        ("45000", ExcelSerial, Ok("2023-03-15")),
        ("45000.75", ExcelSerial, Ok("2023-03-15")),
        ("1", ExcelSerial, Ok("1900-01-01")),
        ("59", ExcelSerial, Ok("1900-02-28")),
        ("60", ExcelSerial, Err("I-DATE")),
        ("61", ExcelSerial, Ok("1900-03-01")),
        ("0", ExcelSerial, Err("I-DATE")),
        ("-1", ExcelSerial, Err("I-DATE")),
        ("2958465", ExcelSerial, Err("I-DATE-RANGE")),
        ("99999999999", ExcelSerial, Err("I-DATE")),
        ("45000x", ExcelSerial, Err("I-DATE")),
        ("2026-01-05", ExcelSerial, Ok("2026-01-05")),
    ];
    for &(input, format, expected) in cases {
        check_date(input, format, expected);
    }
}

#[test]
fn excel_serials_skip_the_29th_of_february_1900_that_never_was() {
    assert_eq!(excel_serial_to_date(59), Some(d("1900-02-28")));
    assert_eq!(excel_serial_to_date(60), None);
    assert_eq!(excel_serial_to_date(61), Some(d("1900-03-01")));
    assert_eq!(excel_serial_to_date(46_000), Some(d("2025-12-09")));
}

fn check_amount(input: &str, expected: Result<i64, &str>) {
    assert_eq!(
        parse_amount(input).map(Money::minor).map_err(|p| p.code()),
        expected,
        "{input:?}"
    );
}

#[test]
fn amounts_are_read_as_people_and_spreadsheets_write_them() {
    let cases: &[(&str, Result<i64, &str>)] = &[
        ("1234.5", Ok(123_450)),
        ("1,234.50", Ok(123_450)),
        (" 1,234,567.89 ", Ok(123_456_789)),
        ("¥1,234.50", Ok(123_450)),
        ("￥12", Ok(1_200)),
        ("CNY 12.3", Ok(1_230)),
        ("rmb12", Ok(1_200)),
        ("12元", Ok(1_200)),
        ("12 CNY", Ok(1_200)),
        ("人民币12", Ok(1_200)),
        ("$3", Ok(300)),
        ("１２３．４", Ok(12_340)),
        ("１，２３４", Ok(123_400)),
        (".5", Ok(50)),
        ("12.", Ok(1_200)),
        ("007", Ok(700)),
        ("1.500", Ok(150)),
        ("-12", Ok(-1_200)),
        ("- ¥12", Ok(-1_200)),
        ("¥-12", Ok(-1_200)),
        ("(12.50)", Ok(-1_250)),
        ("（１２）", Ok(-1_200)),
        ("0", Ok(0)),
        ("1000000000000", Ok(100_000_000_000_000)),
        ("", Err("I-REQUIRED")),
        ("   ", Err("I-REQUIRED")),
        ("¥", Err("I-AMOUNT")),
        ("-", Err("I-AMOUNT")),
        (".", Err("I-AMOUNT")),
        ("1.234", Err("I-DECIMALS")),
        ("0.001", Err("I-DECIMALS")),
        ("12a", Err("I-AMOUNT")),
        ("1,23", Err("I-AMOUNT")),
        ("1,2345", Err("I-AMOUNT")),
        (",123", Err("I-AMOUNT")),
        ("1 234", Err("I-AMOUNT")),
        ("1e5", Err("I-AMOUNT")),
        ("1.2.3", Err("I-AMOUNT")),
        ("--1", Err("I-AMOUNT")),
        ("(-1)", Err("I-AMOUNT")),
        ("1000000000000.01", Err("I-AMOUNT-LARGE")),
        ("99999999999999999999999999", Err("I-AMOUNT-LARGE")),
        ("500万", Err("I-AMOUNT")),
    ];
    for &(input, expected) in cases {
        check_amount(input, expected);
    }
}

#[test]
fn record_amounts_must_be_positive() {
    let code = |s: &str| {
        parse_positive_amount(s)
            .map(Money::minor)
            .map_err(|p| p.code())
    };
    assert_eq!(code("12"), Ok(1_200));
    assert_eq!(code("-12"), Err("I-NEGATIVE"));
    assert_eq!(code("(12)"), Err("I-NEGATIVE"));
    assert_eq!(code("0.00"), Err("I-ZERO"));
    assert_eq!(code("-0"), Err("I-ZERO"));
}

#[test]
fn capital_may_be_written_in_ten_thousands() {
    let code = |s: &str| parse_amount_wan(s).map(Money::minor).map_err(|p| p.code());
    assert_eq!(code("500万"), Ok(500_000_000));
    assert_eq!(code("5,000万元"), Ok(5_000_000_000));
    assert_eq!(code("1234.5678万人民币"), Ok(1_234_567_800));
    assert_eq!(code("0.000001万"), Ok(1));
    assert_eq!(code("0.0000001万"), Err("I-DECIMALS"));
    assert_eq!(code("12.5"), Ok(1_250));
}

#[test]
fn terms_statuses_and_numbers_are_read_or_refused_with_a_code() {
    assert_eq!(parse_term_days("30"), Ok(30));
    assert_eq!(parse_term_days(" 30天 "), Ok(30));
    assert_eq!(parse_term_days("45 days"), Ok(45));
    assert_eq!(parse_term_days("０"), Ok(0));
    assert_eq!(
        parse_term_days("366"),
        Err(ImportProblem::OutOfRange { min: 0, max: 365 })
    );
    assert_eq!(parse_term_days("-1"), Err(ImportProblem::BadNumber));
    assert_eq!(parse_term_days("月结"), Err(ImportProblem::BadNumber));
    assert_eq!(parse_order_status(""), Ok(OrderStatus::Open));
    assert_eq!(parse_order_status("SHIPPED"), Ok(OrderStatus::Shipped));
    assert_eq!(parse_order_status("已开票"), Ok(OrderStatus::Invoiced));
    assert_eq!(parse_order_status("canceled"), Ok(OrderStatus::Cancelled));
    assert_eq!(
        parse_order_status("Held"),
        Err(ImportProblem::UnknownChoice)
    );
    assert_eq!(parse_doc_no(" INV-1 "), Ok(no("INV-1")));
    assert_eq!(
        parse_doc_no(&"发".repeat(9)),
        Err(ImportProblem::TooLong {
            max: 24,
            bytes: true
        })
    );
    assert_eq!(parse_doc_no("a\u{7}b"), Err(ImportProblem::BadText));
}

// ----- Mapping -----

/// A kind, its headers, and the field keys expected for them.
type MappingCase = (
    Kind,
    &'static [&'static str],
    &'static [Option<&'static str>],
);

fn guessed(kind: Kind, headers: &[&str]) -> Vec<Option<&'static str>> {
    let headers: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
    guess_mapping(kind, &headers)
        .columns
        .iter()
        .map(|c| c.map(FieldKey::key))
        .collect()
}

#[test]
fn english_and_chinese_headers_are_mapped_for_every_kind() {
    let cases: &[MappingCase] = &[
        (
            Kind::Invoices,
            &[
                "Invoice No.",
                "Customer",
                "Invoice date",
                "Due date",
                "Term",
                "Amount",
                "Order",
                "Notes",
            ],
            &[
                Some("number"),
                Some("customer"),
                Some("issue_date"),
                Some("due_date"),
                Some("term_days"),
                Some("amount"),
                Some("order"),
                None,
            ],
        ),
        (
            Kind::Invoices,
            &[
                "发票号码",
                "客户名称",
                "开票日期",
                "到期日",
                "账期（天）",
                "价税合计(元)",
                "订单号",
            ],
            &[
                Some("number"),
                Some("customer"),
                Some("issue_date"),
                Some("due_date"),
                Some("term_days"),
                Some("amount"),
                Some("order"),
            ],
        ),
        (
            Kind::Payments,
            &[
                "Customer name",
                "Payment date",
                "Amount",
                "Reference",
                "Invoice No",
            ],
            &[
                Some("customer"),
                Some("date"),
                Some("amount"),
                Some("reference"),
                Some("invoice"),
            ],
        ),
        (
            Kind::Payments,
            &["客户", "回款日期", "回款金额", "银行流水号", "核销发票"],
            &[
                Some("customer"),
                Some("date"),
                Some("amount"),
                Some("reference"),
                Some("invoice"),
            ],
        ),
        (
            Kind::Payments,
            &["付款单位", "付款日期", "金额", "发票号"],
            &[
                Some("customer"),
                Some("date"),
                Some("amount"),
                Some("invoice"),
            ],
        ),
        (
            Kind::CreditNotes,
            &[
                "Credit note no.",
                "Customer",
                "Original invoice",
                "Date",
                "Amount",
            ],
            &[
                Some("number"),
                Some("customer"),
                Some("invoice"),
                Some("date"),
                Some("amount"),
            ],
        ),
        (
            Kind::CreditNotes,
            &["红字发票号码", "客户名称", "原发票号码", "开票日期", "金额"],
            &[
                Some("number"),
                Some("customer"),
                Some("invoice"),
                Some("date"),
                Some("amount"),
            ],
        ),
        (
            Kind::Orders,
            &[
                "Order No",
                "Customer",
                "Order date",
                "Amount",
                "Category",
                "Status",
            ],
            &[
                Some("number"),
                Some("customer"),
                Some("date"),
                Some("amount"),
                Some("category"),
                Some("status"),
            ],
        ),
        (
            Kind::Orders,
            &[
                "订单编号",
                "客户名称",
                "下单日期",
                "订单金额",
                "产品类别",
                "订单状态",
            ],
            &[
                Some("number"),
                Some("customer"),
                Some("date"),
                Some("amount"),
                Some("category"),
                Some("status"),
            ],
        ),
        (
            Kind::Customers,
            &[
                "Customer name",
                "USCC",
                "Contact person",
                "Phone",
                "E-mail",
                "Address",
                "Region",
                "Industry",
                "Sales rep",
                "Customer since",
                "Registered capital",
                "Founded",
            ],
            &[
                Some("name"),
                Some("uscc"),
                Some("contact_person"),
                Some("phone"),
                Some("email"),
                Some("address"),
                Some("region"),
                Some("industry"),
                Some("sales_rep"),
                Some("first_cooperation"),
                Some("registered_capital"),
                Some("founded"),
            ],
        ),
        (
            Kind::Customers,
            &[
                "*客户名称",
                "统一社会信用代码",
                "联系人",
                "联系电话",
                "邮箱",
                "地址",
                "区域",
                "行业",
                "业务员",
                "首次合作日期",
                "注册资本",
                "成立日期",
                "股东",
            ],
            &[
                Some("name"),
                Some("uscc"),
                Some("contact_person"),
                Some("phone"),
                Some("email"),
                Some("address"),
                Some("region"),
                Some("industry"),
                Some("sales_rep"),
                Some("first_cooperation"),
                Some("registered_capital"),
                Some("founded"),
                Some("shareholders"),
            ],
        ),
    ];
    for &(kind, headers, expected) in cases {
        assert_eq!(guessed(kind, headers), expected, "{kind:?} {headers:?}");
    }
}

#[test]
fn headers_match_whatever_their_case_spaces_and_punctuation() {
    assert_eq!(
        guessed(
            Kind::Invoices,
            &[
                " INVOICE-NO ",
                "customer_name",
                "issue_date",
                "DUE DATE",
                "amount (cny)"
            ]
        ),
        [
            Some("number"),
            Some("customer"),
            Some("issue_date"),
            Some("due_date"),
            Some("amount")
        ]
    );
    assert_eq!(normalise_header("Invoice No.", false), "invoiceno");
    assert_eq!(normalise_header("金额（元）", true), "金额");
}

#[test]
fn each_field_goes_to_one_column_the_strongest_match_first() {
    // "日期" could be the issue date, but "开票日期" says so more strongly.
    assert_eq!(
        guessed(Kind::Invoices, &["日期", "开票日期", "金额", "金额"]),
        [None, Some("issue_date"), Some("amount"), None]
    );
}

#[test]
fn a_mapping_is_saved_as_stable_keys_and_read_back() {
    let mapping = Mapping {
        kind: Kind::CreditNotes,
        columns: vec![Some(FieldKey::Number), None, Some(FieldKey::IssueDate)],
        date_format: DateFormat::ExcelSerial,
        custom: Default::default(),
        without_custom: false,
    };
    let json = serde_json::to_string(&mapping).unwrap();
    assert_eq!(
        json,
        r#"{"kind":"credit_notes","columns":["number",null,"issue_date"],"date_format":"excel_serial"}"#
    );
    assert_eq!(serde_json::from_str::<Mapping>(&json).unwrap(), mapping);
    let old: Mapping = serde_json::from_str(r#"{"kind":"orders","columns":[]}"#).unwrap();
    assert_eq!(old.date_format, DateFormat::Auto);
}

#[test]
fn the_date_format_is_guessed_from_the_values_when_they_decide() {
    let cases: &[(&str, DateFormat)] = &[
        ("2026-01-05\n2026/2/1\n", DateFormat::Auto),
        ("45000\n45001.5\n", DateFormat::ExcelSerial),
        ("1/5/2026\n13/5/2026\n", DateFormat::Dmy),
        ("1/5/2026\n5/13/2026\n", DateFormat::Mdy),
        ("1/5/2026\n2/6/2026\n", DateFormat::Auto),
        ("45000\n1/5/2026\n", DateFormat::Auto),
    ];
    for &(values, expected) in cases {
        let text = format!("Invoice date\n{values}");
        let t = read_table(&text, b',').unwrap();
        let m = guess_mapping(Kind::Invoices, &t.headers);
        assert_eq!(guess_date_format(&t, &m), expected, "{values:?}");
    }
}

/// Payments whose dates are in columns no header names: `When` is day first (13/5), `Paid on`
/// month first (5/13), `Booked` year first.
fn unnamed_date_columns() -> Table {
    let text = format!(
        "When,Paid on,Booked,Customer,Amount\n\
         13/5/2026,5/13/2026,2026-05-13,{C1_NAME},10\n\
         1/5/2026,5/1/2026,2026-05-01,{C1_NAME},10\n"
    );
    read_table(&text, b',').unwrap()
}

#[test]
fn the_date_format_is_guessed_from_the_columns_that_are_read() {
    let t = unnamed_date_columns();
    // Two columns mapped to the date: the second is ignored (I-COLUMN-TWICE), so its values
    // must not blur the guess.
    let m = Mapping {
        kind: Kind::Payments,
        columns: vec![
            Some(FieldKey::Date),
            Some(FieldKey::Date),
            None,
            Some(FieldKey::Customer),
            Some(FieldKey::Amount),
        ],
        date_format: DateFormat::Auto,
        custom: Default::default(),
        without_custom: false,
    };
    assert_eq!(guess_date_format(&t, &m), DateFormat::Dmy);
    // A date field of another kind, left in a saved mapping, is not read either.
    let m = Mapping {
        columns: vec![
            Some(FieldKey::Date),
            Some(FieldKey::IssueDate),
            None,
            Some(FieldKey::Customer),
            Some(FieldKey::Amount),
        ],
        ..m
    };
    assert_eq!(guess_date_format(&t, &m), DateFormat::Dmy);
}

#[test]
fn mapping_a_date_column_by_hand_guesses_the_date_format_again() {
    let t = unnamed_date_columns();
    let mut m = guess_mapping(Kind::Payments, &t.headers);
    m.date_format = guess_date_format(&t, &m);
    assert_eq!(m.column_of(FieldKey::Date), None);
    assert_eq!(m.date_format, DateFormat::Auto);
    // The user maps `When` to the date: its values say day first.
    m.map_column(&t, 0, Some(FieldKey::Date));
    assert_eq!(m.column_of(FieldKey::Date), Some(0));
    assert_eq!(m.date_format, DateFormat::Dmy);
    // Then changes their mind: `Paid on` is the date, month first.
    m.map_column(&t, 0, None);
    m.map_column(&t, 1, Some(FieldKey::Date));
    assert_eq!(m.date_format, DateFormat::Mdy);
    let plan = validate(
        Kind::Payments,
        &t,
        &m,
        &Context {
            customers: &stored().0,
            users: &users(),
            ledger: &stored().1,
            meta: meta(),
            fields: &Default::default(),
        },
        &mut counter(),
        d(TODAY),
    );
    assert_eq!(problems(&plan), expect(&[]));
    assert_eq!(plan.records.payments[0].date, d("2026-05-13"));
    // Year-first dates decide nothing: back to Auto, which reads them.
    m.map_column(&t, 1, None);
    m.map_column(&t, 2, Some(FieldKey::Date));
    assert_eq!(m.date_format, DateFormat::Auto);
    // A format the user chose stays while columns that hold no date are mapped.
    m.date_format = DateFormat::Ymd;
    m.map_column(&t, 3, None);
    m.map_column(&t, 3, Some(FieldKey::Customer));
    assert_eq!(m.date_format, DateFormat::Ymd);
    // A column past the header row is added as the UI did by hand.
    m.map_column(&t, 6, None);
    assert_eq!(m.columns.len(), 7);
}

#[test]
fn a_check_whose_customers_change_between_steps_goes_on_with_the_list_it_is_given() {
    // Made with every stored customer, stepped on with them in another order and then with none
    // (another tab deleted them, say): the rows' customers are still found by name as the check
    // began, and no step fails for a customer the list no longer holds where it was.
    let decoded = decode(&fixture("invoices_bad.csv"));
    let table = read_table(&decoded.text, sniff_delimiter(&decoded.text)).unwrap();
    let mapping = guess_mapping(Kind::Invoices, &table.headers);
    let (customers, ledger) = stored();
    let (users, fields) = (users(), Default::default());
    fn context<'a>(
        customers: &'a [Customer],
        users: &'a [User],
        ledger: &'a Ledger,
        fields: &'a creditdesk_domain::fields::FieldSet,
    ) -> Context<'a> {
        Context {
            customers,
            users,
            ledger,
            meta: meta(),
            fields,
        }
    }
    let ctx = |customers| context(customers, &users, &ledger, &fields);
    let mut check = Check::new(Kind::Invoices, &table, &mapping, &ctx(&customers), d(TODAY));
    let mut ids = counter();
    assert!(!check.step(&table, &ctx(&customers), &mut ids, 1));
    let reversed: Vec<Customer> = customers.iter().rev().cloned().collect();
    assert!(!check.step(&table, &ctx(&reversed), &mut ids, 1));
    let plan = check.finish(&table, &ctx(&[]), &mut ids);
    let whole = validate(
        Kind::Invoices,
        &table,
        &mapping,
        &ctx(&customers),
        &mut counter(),
        d(TODAY),
    );
    assert_eq!(plan.problems, whole.problems);
    assert_eq!(plan.records.len(), whole.records.len());
}

// ----- Every kind of bad row, at its row and column -----

#[test]
fn every_bad_invoice_row_is_reported_at_its_row_and_column() {
    let (_, mapping, plan) = import(Kind::Invoices, &fixture("invoices_bad.csv"));
    assert_eq!(plan.rows_total, 22);
    assert_eq!(mapping.columns[7], None, "备注 is not mapped");
    let (n, c, i, due, term, a, o) = (
        "发票号码",
        "客户名称",
        "开票日期",
        "到期日",
        "账期",
        "价税合计",
        "订单号",
    );
    assert_eq!(
        problems(&plan),
        expect(&[
            (3, n, "I-DUPLICATE"),
            (4, n, "I-DUPLICATE"),
            (5, c, "I-UNKNOWN-CUSTOMER"),
            (6, c, "I-AMBIGUOUS-CUSTOMER"),
            (7, i, "I-DATE"),
            (8, i, "I-FUTURE"),
            (9, due, "I-DUE-BEFORE-ISSUE"),
            (10, a, "I-NEGATIVE"),
            (11, a, "I-ZERO"),
            (12, a, "I-DECIMALS"),
            (13, a, "I-AMOUNT"),
            (14, o, "I-OTHER-CUSTOMER"),
            (15, o, "I-UNKNOWN-ORDER"),
            (16, n, "I-REQUIRED"),
            (16, c, "I-REQUIRED"),
            (17, n, "I-TOO-LONG"),
            (18, c, "I-UNKNOWN-CUSTOMER"),
            (18, i, "I-DATE"),
            (18, a, "I-NEGATIVE"),
            (22, due, "I-REQUIRED"),
            (23, term, "I-RANGE"),
            (24, term, "I-DUE-TERM"),
        ])
    );
    assert_eq!(
        problem_at(&plan, 3, "I-DUPLICATE"),
        ImportProblem::Duplicate { first_row: None }
    );
    assert_eq!(
        problem_at(&plan, 4, "I-DUPLICATE"),
        ImportProblem::Duplicate { first_row: Some(2) }
    );
    assert_eq!(
        problem_at(&plan, 6, "I-AMBIGUOUS-CUSTOMER"),
        ImportProblem::AmbiguousCustomer { count: 2 }
    );
    assert_eq!(
        problem_at(&plan, 14, "I-OTHER-CUSTOMER"),
        ImportProblem::OfOtherCustomer { owner: C2 }
    );
    assert_eq!(
        problem_at(&plan, 24, "I-DUE-TERM"),
        ImportProblem::DueTermMismatch {
            due_from_term: d("2026-03-31")
        }
    );
    let p = &plan.problems[0];
    assert_eq!(
        (p.field, p.value.as_str()),
        (Some(FieldKey::Number), "INV-1")
    );

    assert_eq!(plan.records.rows, [2, 20, 25]);
    let inv = &plan.records.invoices;
    assert_eq!(inv.len(), 3);
    assert_eq!(
        (
            inv[0].number,
            inv[0].customer,
            inv[0].issue_date,
            inv[0].due_date
        ),
        (no("INV-100"), C1, d("2026-03-01"), d("2026-03-31"))
    );
    assert_eq!(inv[0].amount, Money::from_minor(123_450));
    assert_eq!(inv[0].order, Some(OrderId::from_u128(201)));
    assert_eq!((inv[1].customer, inv[1].amount), (C2, y(2000)));
    assert_eq!(inv[1].due_date, d("2026-05-31"));
    assert_eq!(
        (inv[2].customer, inv[2].issue_date, inv[2].due_date),
        (C2, d("2026-05-06"), d("2026-06-05"))
    );
    assert_eq!(inv[2].amount, Money::from_minor(9_990));
    assert_eq!(
        inv.iter().map(|i| i.id.as_u128()).collect::<Vec<_>>(),
        [10_001, 10_002, 10_003]
    );
    assert!(inv.iter().all(|i| i.meta == meta()));
    assert_eq!(
        plan.rows_in_error.iter().copied().collect::<Vec<_>>(),
        [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 22, 23, 24]
    );
    assert_partition(&plan);
}

#[test]
fn an_invoice_dated_before_the_first_cooperation_is_a_warning_and_still_imported() {
    // The stored customers have cooperated since 2020-01-01.
    let text = format!(
        "Invoice no,Customer,Invoice date,Term,Amount\n\
         INV-200,{C1_NAME},2019-12-31,30,100\n\
         INV-201,{C1_NAME},2020-01-01,30,100\n\
         INV-202,Acme Trading Ltd,2019-06-01,30,-1\n"
    );
    let (_, _, plan) = import(Kind::Invoices, text.as_bytes());
    // Warnings are not problems: the row is kept.
    assert_eq!(problems(&plan), expect(&[(4, "Amount", "I-NEGATIVE")]));
    assert_eq!(plan.records.rows, [2, 3]);
    assert_eq!(plan.rows_in_error.iter().copied().collect::<Vec<_>>(), [4]);
    let warnings: Vec<(u64, String, &str, ImportProblem)> = plan
        .warnings
        .iter()
        .map(|w| {
            (
                w.row,
                w.column.clone().unwrap_or_default(),
                w.problem.code(),
                w.problem,
            )
        })
        .collect();
    let before = ImportProblem::BeforeFirstCooperation {
        first_cooperation: d("2020-01-01"),
    };
    assert_eq!(
        warnings,
        [
            (
                2,
                "Invoice date".into(),
                "I-BEFORE-FIRST-COOPERATION",
                before
            ),
            (
                4,
                "Invoice date".into(),
                "I-BEFORE-FIRST-COOPERATION",
                before
            ),
        ]
    );
    assert!(before.is_warning());
    assert!(ImportProblem::CODES.contains(&before.code()));
    assert!(!ImportProblem::Negative.is_warning());
    assert_partition(&plan);
}

#[test]
fn every_bad_payment_row_is_reported_and_earlier_rows_use_up_what_is_open() {
    let bytes = fixture("payments_bad.csv");
    assert_eq!(decode(&bytes).encoding, SourceEncoding::Gbk);
    let (_, _, plan) = import(Kind::Payments, &bytes);
    let (date, amount, invoice) = ("回款日期", "回款金额", "核销发票");
    assert_eq!(
        problems(&plan),
        expect(&[
            (3, amount, "I-EXCEEDS-OPEN"),
            (5, amount, "I-ALREADY-PAID"),
            (6, invoice, "I-OTHER-CUSTOMER"),
            (7, invoice, "I-UNKNOWN-INVOICE"),
            (8, date, "I-BEFORE-INVOICE"),
            (10, amount, "I-EXCEEDS-CUSTOMER-OPEN"),
            (11, date, "I-FUTURE"),
            (12, amount, "I-NEGATIVE"),
        ])
    );
    // INV-1 has 600 open; row 2 takes 200, so 500 is too much on row 3, and row 4's 400 fits.
    assert_eq!(
        problem_at(&plan, 3, "I-EXCEEDS-OPEN"),
        ImportProblem::ExceedsOpen {
            open: y(400),
            amount: y(500)
        }
    );
    // Rows 2 and 4 took all of INV-1: row 5 finds it paid.
    assert_eq!(
        problem_at(&plan, 5, "I-ALREADY-PAID"),
        ImportProblem::AlreadyPaid
    );
    assert_eq!(
        problem_at(&plan, 8, "I-BEFORE-INVOICE"),
        ImportProblem::BeforeInvoice {
            issue: d("2026-02-10")
        }
    );
    // Row 9 took 300 of INV-2's 400 (row 8, in error, took nothing): 100 is left.
    assert_eq!(
        problem_at(&plan, 10, "I-EXCEEDS-CUSTOMER-OPEN"),
        ImportProblem::ExceedsCustomerOpen {
            open: y(100),
            amount: y(200)
        }
    );
    assert_eq!(plan.records.rows, [2, 4, 9, 13]);
    let p = &plan.records.payments;
    let allocs = |i: usize| -> Vec<(u128, i64)> {
        p[i].allocations
            .iter()
            .map(|a| (a.invoice.as_u128(), a.amount.minor() / 100))
            .collect()
    };
    assert_eq!(allocs(0), [(101, 200)]);
    assert_eq!(allocs(1), [(101, 400)]);
    assert_eq!(allocs(2), [(102, 300)]);
    assert_eq!(allocs(3), [(103, 700)]);
    assert_eq!(p[0].reference, Some(no("B-1")));
    assert_eq!(p[3].reference, None);
    assert_eq!((p[3].customer, p[3].date), (C2, d("2026-04-03")));
    assert_partition(&plan);
}

#[test]
fn the_valid_payments_of_a_file_can_all_be_added_to_the_ledger() {
    let (_, _, plan) = import(Kind::Payments, &fixture("payments_bad.csv"));
    let (_, mut ledger) = stored();
    for p in plan.records.payments {
        ledger.add_payment(p).unwrap();
    }
    assert_eq!(ledger.open_now_total(C1), y(100));
    assert_eq!(ledger.open_now_total(C2), Money::ZERO);
}

#[test]
fn two_payments_that_together_exceed_an_invoice_refuse_the_second() {
    let text = format!(
        "Customer,Date,Amount,Invoice\n{C1_NAME},2026-03-01,350,INV-1\n{C1_NAME},2026-03-02,250.01,INV-1\n{C1_NAME},2026-03-03,250,INV-1\n"
    );
    let (_, _, plan) = import(Kind::Payments, text.as_bytes());
    assert_eq!(problems(&plan), expect(&[(3, "Amount", "I-EXCEEDS-OPEN")]));
    assert_eq!(
        plan.problems[0].problem,
        ImportProblem::ExceedsOpen {
            open: y(250),
            amount: Money::from_minor(25_001)
        }
    );
    assert_eq!(plan.records.rows, [2, 4]);
}

#[test]
fn payments_without_an_invoice_are_refused_above_what_the_customer_owes() {
    // C1 owes 600 + 400: the first payment takes 900 oldest first, the second is too much.
    let text = format!(
        "Customer,Date,Amount\n{C1_NAME},2026-03-01,900\n{C1_NAME},2026-03-02,100.01\n{C1_NAME},2026-03-03,100\n{C1_NAME},2026-03-03,0.01\n"
    );
    let (_, _, plan) = import(Kind::Payments, text.as_bytes());
    assert_eq!(
        problems(&plan),
        expect(&[
            (3, "Amount", "I-EXCEEDS-CUSTOMER-OPEN"),
            (5, "Amount", "I-EXCEEDS-CUSTOMER-OPEN")
        ])
    );
    let p = &plan.records.payments;
    assert_eq!(
        p[0].allocations,
        [
            Allocation {
                invoice: InvoiceId::from_u128(101),
                amount: y(600)
            },
            Allocation {
                invoice: InvoiceId::from_u128(102),
                amount: y(300)
            }
        ]
    );
    assert_eq!(
        p[1].allocations,
        [Allocation {
            invoice: InvoiceId::from_u128(102),
            amount: y(100)
        }]
    );
}

#[test]
fn the_same_payment_twice_in_one_file_is_a_duplicate_of_its_first_row() {
    // Rows 3 repeats row 2 exactly; rows 4 to 6 each differ in one of reference, invoice or
    // amount, and row 7 is another day: none of those is a duplicate.
    let text = format!(
        "Customer,Date,Amount,Invoice,Reference\n\
         {C1_NAME},2026-03-01,100,INV-1,B-7\n\
         {C1_NAME},2026-03-01,100,INV-1,B-7\n\
         {C1_NAME},2026-03-01,100,INV-1,B-8\n\
         {C1_NAME},2026-03-01,100,INV-2,B-7\n\
         {C1_NAME},2026-03-01,101,INV-1,B-7\n\
         {C1_NAME},2026-03-02,100,INV-1,B-7\n"
    );
    let (_, _, plan) = import(Kind::Payments, text.as_bytes());
    assert_eq!(
        problems(&plan),
        expect(&[(3, "Amount", "I-DUPLICATE-PAYMENT")])
    );
    assert_eq!(
        problem_at(&plan, 3, "I-DUPLICATE-PAYMENT"),
        ImportProblem::DuplicatePayment { first_row: Some(2) }
    );
    assert_eq!(plan.records.rows, [2, 4, 5, 6, 7]);
    assert_partition(&plan);
}

#[test]
fn a_payment_already_in_the_ledger_imported_again_is_a_duplicate() {
    // Stored: C1 paid 400 to INV-1 on 2026-02-20, without a reference. Row 2 is that payment
    // again, row 3 too (without its invoice: it would go oldest first); rows 4 and 5 are
    // another invoice and another reference.
    let text = format!(
        "Customer,Date,Amount,Invoice,Reference\n\
         {C1_NAME},2026-02-20,400,INV-1,\n\
         {C1_NAME},2026-02-20,400,,\n\
         {C1_NAME},2026-02-20,400,INV-2,\n\
         {C1_NAME},2026-02-20,400,INV-1,B-9\n"
    );
    let (_, _, plan) = import(Kind::Payments, text.as_bytes());
    assert_eq!(
        problems(&plan),
        expect(&[
            (2, "Amount", "I-DUPLICATE-PAYMENT"),
            (3, "Amount", "I-DUPLICATE-PAYMENT"),
        ])
    );
    for row in [2, 3] {
        assert_eq!(
            problem_at(&plan, row, "I-DUPLICATE-PAYMENT"),
            ImportProblem::DuplicatePayment { first_row: None }
        );
    }
    assert_eq!(plan.records.rows, [4, 5]);
    assert_partition(&plan);
}

#[test]
fn a_void_payment_imported_again_is_no_duplicate_but_the_payment_recorded_right() {
    let text = format!(
        "Customer,Date,Amount,Invoice,Reference\n\
         {C1_NAME},2026-02-20,400,INV-1,\n"
    );
    let decoded = decode(text.as_bytes());
    let table = read_table(&decoded.text, b',').unwrap();
    let mapping = guess_mapping(Kind::Payments, &table.headers);
    let (customers, mut ledger) = stored();
    ledger
        .add_correction(Correction {
            id: CorrectionId::from_u128(900),
            meta: meta(),
            customer: C1,
            date: d("2026-03-01"),
            fix: Fix::VoidPayment {
                payment: PaymentId::from_u128(301),
            },
            reason: "typed on the wrong day".into(),
        })
        .unwrap();
    let ctx = Context {
        customers: &customers,
        users: &users(),
        ledger: &ledger,
        meta: meta(),
        fields: &Default::default(),
    };
    let plan = validate(
        Kind::Payments,
        &table,
        &mapping,
        &ctx,
        &mut counter(),
        d(TODAY),
    );
    assert_eq!(problems(&plan), expect(&[]));
    assert_eq!(plan.records.rows, [2]);
}

#[test]
fn a_payment_to_an_invoice_already_fully_paid_says_already_paid() {
    // INV-3 has 700 open: row 2 pays it all, so row 3 finds it paid, not "more than 0.00 open";
    // row 4 is more than what is open, which is still said so.
    let text = "Customer,Date,Amount,Invoice\n\
                Acme Trading Ltd,2026-04-01,700,INV-3\n\
                Acme Trading Ltd,2026-04-02,10,INV-3\n\
                杭州华信机械有限公司,2026-04-02,601,INV-1\n";
    let (_, _, plan) = import(Kind::Payments, text.as_bytes());
    assert_eq!(
        problems(&plan),
        expect(&[
            (3, "Amount", "I-ALREADY-PAID"),
            (4, "Amount", "I-EXCEEDS-OPEN")
        ])
    );
    assert_eq!(plan.records.rows, [2]);
}

#[test]
fn a_credit_note_to_an_invoice_with_nothing_open_says_already_paid() {
    let text = "Credit note no.,Customer,Original invoice,Date,Amount\n\
                CN-20,Acme Trading Ltd,INV-3,2026-04-01,700\n\
                CN-21,Acme Trading Ltd,INV-3,2026-04-02,10\n";
    let (_, _, plan) = import(Kind::CreditNotes, text.as_bytes());
    assert_eq!(problems(&plan), expect(&[(3, "Amount", "I-ALREADY-PAID")]));
}

#[test]
fn every_bad_credit_note_row_is_reported_at_its_row_and_column() {
    let (_, _, plan) = import(Kind::CreditNotes, &fixture("credit_notes_bad.csv"));
    let (n, inv, date, amount) = ("Credit note no.", "Original invoice", "Date", "Amount");
    assert_eq!(
        problems(&plan),
        expect(&[
            (3, n, "I-DUPLICATE"),
            (4, n, "I-DUPLICATE"),
            (5, amount, "I-EXCEEDS-OPEN"),
            (6, inv, "I-OTHER-CUSTOMER"),
            (8, date, "I-BEFORE-INVOICE"),
        ])
    );
    assert_eq!(
        problem_at(&plan, 5, "I-EXCEEDS-OPEN"),
        ImportProblem::ExceedsOpen {
            open: y(300),
            amount: y(301)
        }
    );
    // An empty invoice cell is a credit note on account, not a missing value.
    assert_eq!(plan.records.rows, [2, 7, 9]);
    let c = &plan.records.credit_notes;
    assert_eq!(
        (c[1].number, c[1].invoice, c[1].amount),
        (no("CN-13"), None, y(10))
    );
    assert_eq!(
        (c[2].number, c[2].invoice, c[2].amount),
        (no("CN-15"), Some(InvoiceId::from_u128(102)), y(300))
    );
    assert_partition(&plan);
}

#[test]
fn every_bad_order_row_is_reported_at_its_row_and_column() {
    let (table, _, plan) = import(Kind::Orders, &fixture("orders_bad.csv"));
    assert_eq!(table.headers.len(), 6, "semicolons were detected");
    assert_eq!(
        problems(&plan),
        expect(&[
            (3, "Order No", "I-DUPLICATE"),
            (4, "Status", "I-CHOICE"),
            (6, "Category", "I-TOO-LONG"),
            (8, "Order No", "I-DUPLICATE"),
        ])
    );
    assert_eq!(plan.records.rows, [2, 5, 7]);
    let o = &plan.records.orders;
    assert_eq!(
        (o[0].amount, o[0].category, o[0].status),
        (
            Money::from_minor(123_450),
            Some(no("STEEL")),
            OrderStatus::Shipped
        )
    );
    assert_eq!((o[1].customer, o[1].status), (C2, OrderStatus::Cancelled));
    assert_eq!((o[2].amount, o[2].status), (y(12), OrderStatus::Open));
    assert_partition(&plan);
}

#[test]
fn every_bad_customer_row_is_reported_at_its_row_and_column() {
    let (_, _, plan) = import(Kind::Customers, &fixture("customers_bad.csv"));
    let (name, uscc) = ("客户名称", "统一社会信用代码");
    assert_eq!(
        problems(&plan),
        expect(&[
            (3, name, "I-DUPLICATE"),
            (3, uscc, "I-DUPLICATE"),
            (4, name, "I-DUPLICATE"),
            (5, uscc, "I-USCC"),
            (5, "邮箱", "I-EMAIL"),
            (6, "区域", "I-REQUIRED"),
            (6, "首次合作日期", "I-FUTURE"),
            (7, "行业地位", "I-CHOICE"),
            (7, "注册资本", "I-NEGATIVE"),
            (9, "销售代表", "I-UNKNOWN-USER"),
            (10, "销售代表", "I-AMBIGUOUS-USER"),
        ])
    );
    assert_eq!(
        problem_at(&plan, 5, "I-USCC"),
        ImportProblem::BadUscc {
            reason: UsccReason::CheckDigit
        }
    );
    assert_eq!(plan.records.rows, [2, 8, 11]);
    let c = &plan.records.customers;
    assert_eq!(c[0].name, "新客户甲");
    // A rep is named by name or by id; the record holds the user's id.
    assert_eq!(
        [
            c[0].sales_rep.as_str(),
            c[1].sales_rep.as_str(),
            c[2].sales_rep.as_str()
        ],
        ["rep-li", "rep-wang", "rep-chen-2"]
    );
    assert_eq!(c[0].first_cooperation, d("2020-03-01"));
    assert_eq!(
        c[0].profile.registered_capital,
        Some(Money::from_units(5_000_000))
    );
    assert_eq!(
        c[0].profile.industry_position,
        Some(IndustryPosition::Leader)
    );
    assert_eq!(c[0].id, CustomerId::from_u128(10_001));
    assert_eq!(
        c[1].uscc.map(|u| u.to_string()).as_deref(),
        Some("91440300MA5F00001A")
    );
    assert_partition(&plan);
}

#[test]
fn a_missing_required_column_is_a_file_problem_and_nothing_is_kept() {
    let text = format!("Invoice No,Customer,Invoice date,Notes\nINV-9,{C1_NAME},2026-01-01,x\nINV-9,{C1_NAME},bad,y\n");
    let (_, _, plan) = import(Kind::Invoices, text.as_bytes());
    assert_eq!(
        problems(&plan),
        expect(&[
            (0, "", "I-MISSING-COLUMN"),
            (0, "", "I-MISSING-COLUMN"),
            (3, "Invoice No", "I-DUPLICATE"),
            (3, "Invoice date", "I-DATE"),
        ])
    );
    assert_eq!(
        plan.problems[0].problem,
        ImportProblem::MissingColumn {
            field: FieldKey::DueDate,
            or: Some(FieldKey::TermDays)
        }
    );
    assert_eq!(
        plan.problems[1].problem,
        ImportProblem::MissingColumn {
            field: FieldKey::Amount,
            or: None
        }
    );
    assert!(!plan.can_import());
    assert!(plan.records.is_empty());
}

#[test]
fn a_field_mapped_twice_and_a_mapping_of_another_kind_are_file_problems() {
    let table = read_table("A,B,C\nINV-1,x,1\n", b',').unwrap();
    let (customers, ledger) = stored();
    let ctx = Context {
        customers: &customers,
        users: &users(),
        ledger: &ledger,
        meta: meta(),
        fields: &Default::default(),
    };
    let mapping = Mapping {
        kind: Kind::Orders,
        columns: vec![Some(FieldKey::Number), Some(FieldKey::Number)],
        date_format: DateFormat::Auto,
        custom: Default::default(),
        without_custom: false,
    };
    let plan = validate(
        Kind::Orders,
        &table,
        &mapping,
        &ctx,
        &mut counter(),
        d(TODAY),
    );
    assert_eq!(
        plan.problems[0].problem,
        ImportProblem::ColumnMappedTwice {
            field: FieldKey::Number,
            first_column: 0
        }
    );
    assert_eq!(plan.problems[0].column.as_deref(), Some("B"));
    let plan = validate(
        Kind::Invoices,
        &table,
        &mapping,
        &ctx,
        &mut counter(),
        d(TODAY),
    );
    assert_eq!(problems(&plan), expect(&[(0, "", "I-MAPPING-KIND")]));
}

#[test]
fn a_customer_is_found_by_trimmed_name_or_by_uscc() {
    let text = format!(
        "Invoice No,Customer,Invoice date,Term,Amount\nA-1,  {C1_NAME} ,2026-01-01,30,1\nA-2,{},2026-01-01,30,1\nA-3,acme trading ltd,2026-01-01,30,1\n",
        C2_USCC.to_lowercase()
    );
    let (_, _, plan) = import(Kind::Invoices, text.as_bytes());
    assert_eq!(
        problems(&plan),
        expect(&[(4, "Customer", "I-UNKNOWN-CUSTOMER")])
    );
    let customers: Vec<CustomerId> = plan.records.invoices.iter().map(|i| i.customer).collect();
    assert_eq!(customers, [C1, C2]);
}

// ----- Writing CSV -----

#[test]
fn csv_is_written_with_a_mark_crlf_and_quotes_where_needed() {
    let bytes = write_csv(
        &["Name", "Note"],
        vec![
            vec!["A, Ltd".to_string(), "say \"hi\"".to_string()],
            vec!["B".to_string(), "two\nlines".to_string()],
            vec!["C".to_string()],
        ]
        .into_iter(),
    );
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        "\u{FEFF}Name,Note\r\n\"A, Ltd\",\"say \"\"hi\"\"\"\r\nB,\"two\nlines\"\r\nC\r\n"
    );
}

#[test]
fn a_cell_that_starts_like_a_formula_is_written_as_text() {
    fn check(cell: &str, written: &str) {
        assert_eq!(inert_cell(cell), written, "cell {cell:?}");
    }
    check(
        "=HYPERLINK(\"http://x\",\"click\")",
        "'=HYPERLINK(\"http://x\",\"click\")",
    );
    check("+86 21 5555", "'+86 21 5555");
    check("-1+2", "'-1+2");
    check("@SUM(A1)", "'@SUM(A1)");
    check("\tcmd", "'\tcmd");
    check("\rcmd", "'\rcmd");
    check("-1,234.50", "'-1,234.50");
    check("-", "'-");
    // Amounts stay numbers; anything else is left as it is.
    check("-1234.50", "-1234.50");
    check("+7", "+7");
    check("1234.50", "1234.50");
    check("华东机械 = 好", "华东机械 = 好");
    check("", "");
}

#[test]
fn an_exported_formula_like_cell_imports_as_it_was_typed() {
    let cells = [
        "=HYPERLINK(\"http://x\",\"click\")",
        "-1,234.50",
        "-5.00",
        "'quoted",
        "<img src=x onerror=alert(1)>",
    ];
    let bytes = write_csv(&["Name"], cells.iter().map(|c| vec![c.to_string()]));
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains("'=HYPERLINK"), "{text}");
    let table = read_table(&decode(text.as_bytes()).text, b',').unwrap();
    let back: Vec<&str> = table.rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(back, cells);
}

#[test]
fn the_error_file_holds_the_rows_in_error_with_their_problems() {
    let (table, _, plan) = import(Kind::CreditNotes, &fixture("credit_notes_bad.csv"));
    let file = error_file(&table, &plan);
    assert!(file.starts_with('\u{FEFF}'));
    let lines: Vec<&str> = file.trim_start_matches('\u{FEFF}').split("\r\n").collect();
    assert_eq!(
        lines[0],
        "Credit note no.,Customer,Original invoice,Date,Amount,problems"
    );
    assert_eq!(
        lines[1],
        format!("CN-1,{C1_NAME},INV-2,2026-03-01,10,I-DUPLICATE (Credit note no.)")
    );
    assert_eq!(
        lines.len(),
        1 + 5 + 1,
        "header, five rows, and the final line end"
    );
    // Imported again, the error file's own problems column is replaced, not repeated.
    let again = decode(file.as_bytes());
    let table2 = read_table(&again.text, sniff_delimiter(&again.text)).unwrap();
    let mapping = guess_mapping(Kind::CreditNotes, &table2.headers);
    assert_eq!(mapping.columns[5], None);
    let (customers, ledger) = stored();
    let ctx = Context {
        customers: &customers,
        users: &users(),
        ledger: &ledger,
        meta: meta(),
        fields: &Default::default(),
    };
    let plan2 = validate(
        Kind::CreditNotes,
        &table2,
        &mapping,
        &ctx,
        &mut counter(),
        d(TODAY),
    );
    let file2 = error_file(&table2, &plan2);
    assert_eq!(
        file2.lines().next().unwrap().trim_start_matches('\u{FEFF}'),
        "Credit note no.,Customer,Original invoice,Date,Amount,problems"
    );
}

#[test]
fn every_problem_code_is_listed_once() {
    let mut codes = ImportProblem::CODES.to_vec();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), ImportProblem::CODES.len());
    assert!(codes.iter().all(|c| c.starts_with("I-")));
}

// ----- Size -----

#[test]
fn a_hundred_thousand_invoice_rows_are_validated() {
    let n_customers = 1_000;
    let customers: Vec<Customer> = (0..n_customers)
        .map(|i| {
            let mut c = customer(1, "x", "");
            c.id = CustomerId::from_u128(1_000_000 + i as u128);
            c.name = format!("客户{i:04}有限公司");
            c
        })
        .collect();
    let ledger = Ledger::new();
    let mut text = String::with_capacity(8_000_000);
    text.push_str("发票号码,客户名称,开票日期,账期,价税合计\r\n");
    let rows = 100_000;
    for i in 0..rows {
        let amount = if i % 1_000 == 999 { "-1" } else { "1,234.56" };
        text.push_str(&format!(
            "INV-2026-{i:07},客户{:04}有限公司,2026-{:02}-{:02},30,{amount}\r\n",
            i % n_customers,
            1 + i % 10,
            1 + i % 28
        ));
    }
    let start = std::time::Instant::now();
    let decoded = decode(text.as_bytes());
    let table = read_table(&decoded.text, sniff_delimiter(&decoded.text)).unwrap();
    let mapping = guess_mapping(Kind::Invoices, &table.headers);
    let read = start.elapsed();
    let ctx = Context {
        customers: &customers,
        users: &users(),
        ledger: &ledger,
        meta: meta(),
        fields: &Default::default(),
    };
    let plan = validate(
        Kind::Invoices,
        &table,
        &mapping,
        &ctx,
        &mut counter(),
        d(TODAY),
    );
    eprintln!(
        "100k rows: read {:?}, validated {:?} (this build's profile)",
        read,
        start.elapsed() - read
    );
    assert_eq!(plan.rows_total, rows);
    assert_eq!(plan.records.invoices.len(), rows - 100);
    assert_eq!(plan.rows_in_error.len(), 100);
    assert!(plan
        .problems
        .iter()
        .all(|p| p.problem == ImportProblem::Negative));
    assert_eq!(plan.problems[0].row, 1_001);
}

// ----- Properties -----

const HEADER_POOL: &[&str] = &[
    "发票号码",
    "客户名称",
    "开票日期",
    "到期日",
    "账期",
    "金额",
    "订单号",
    "Customer",
    "Date",
    "Amount",
    "Invoice",
    "Reference",
    "Number",
    "Status",
    "Category",
    "区域",
    "行业",
    "销售代表",
    "首次合作日期",
    "统一社会信用代码",
    "注册资本",
    "行业地位",
    "股东",
    "邮箱",
    "",
    "x",
];

fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(C1_NAME.to_string()),
        Just(C2_USCC.to_string()),
        Just("重名公司".to_string()),
        Just("INV-1".to_string()),
        Just("INV-2".to_string()),
        Just("INV-3".to_string()),
        Just("SO-1".to_string()),
        Just("CN-1".to_string()),
        Just("2026-03-01".to_string()),
        Just("45000".to_string()),
        Just("5/1/2026".to_string()),
        Just("(1,234.50)".to_string()),
        Just("999999999999999".to_string()),
        Just("30天".to_string()),
        Just("已取消".to_string()),
        Just("500万".to_string()),
        Just("\"q,\"\"\n".to_string()),
        "[0-9.,;\t\"\n¥-]{0,10}",
        ".{0,12}",
    ]
}

fn any_format() -> impl Strategy<Value = DateFormat> {
    prop_oneof![
        Just(DateFormat::Auto),
        Just(DateFormat::Ymd),
        Just(DateFormat::Dmy),
        Just(DateFormat::Mdy),
        Just(DateFormat::ExcelSerial),
    ]
}

fn run_everything(bytes: &[u8], format: DateFormat) -> Result<(), TestCaseError> {
    let decoded = decode(bytes);
    let delim = sniff_delimiter(&decoded.text);
    prop_assert!(DELIMITERS.contains(&delim));
    let whole = read_table(&decoded.text, delim);
    // Read a few records at a time, the same table or the same problem.
    for step in [1, 2, 5] {
        let mut reader = TableReader::new(&decoded.text, delim);
        let mut reads = 1;
        while !reader.read(step) {
            reads += 1;
        }
        // Read again after its end: nothing more.
        prop_assert!(reader.read(step));
        let in_steps = reader.finish();
        prop_assert_eq!(&in_steps, &whole, "{} at a time", step);
        // Every record but the last few is read in a step of its own (none read at once).
        if step == 1 {
            prop_assert!(reads >= whole.as_ref().map_or(0, |t| t.rows.len()));
        }
    }
    let table = match whole {
        Ok(t) => t,
        Err(p) => {
            prop_assert!(ImportProblem::CODES.contains(&p.code()));
            return Ok(());
        }
    };
    prop_assert!(table.rows.iter().all(|r| r.len() == table.headers.len()));
    prop_assert_eq!(table.rows.len(), table.line_of_row.len());
    prop_assert!(table.line_of_row.windows(2).all(|w| w[0] < w[1]));
    let (customers, ledger) = stored();
    let ctx = Context {
        customers: &customers,
        users: &users(),
        ledger: &ledger,
        meta: meta(),
        fields: &Default::default(),
    };
    for kind in Kind::ALL {
        let mut mapping = guess_mapping(kind, &table.headers);
        mapping.date_format = format;
        let plan = validate(kind, &table, &mapping, &ctx, &mut counter(), d(TODAY));
        for p in &plan.problems {
            prop_assert!(ImportProblem::CODES.contains(&p.problem.code()));
            prop_assert!(p.row == 0 || table.line_of_row.contains(&p.row));
            prop_assert!(!p.problem.is_warning());
        }
        for w in &plan.warnings {
            prop_assert!(ImportProblem::CODES.contains(&w.problem.code()));
            prop_assert!(table.line_of_row.contains(&w.row));
            prop_assert!(w.problem.is_warning());
        }
        if plan.can_import() {
            prop_assert_eq!(
                plan.records.len() + plan.rows_in_error.len(),
                plan.rows_total
            );
        } else {
            prop_assert!(plan.records.is_empty());
        }
        let _ = error_file(&table, &plan);
    }
    Ok(())
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic_and_every_failure_is_a_problem(
        bytes in prop::collection::vec(any::<u8>(), 0..400),
        format in any_format(),
    ) {
        run_everything(&bytes, format)?;
    }

    #[test]
    fn arbitrary_tables_never_panic_and_every_failure_is_a_problem(
        headers in prop::collection::vec(prop::sample::select(HEADER_POOL), 1..9),
        rows in prop::collection::vec(prop::collection::vec(cell(), 0..10), 0..12),
        delim in prop::sample::select(&[",", ";", "\t"][..]),
        crlf in any::<bool>(),
        format in any_format(),
    ) {
        let quote = |c: &str| {
            if c.contains([',', ';', '\t', '"', '\n', '\r']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c.to_string()
            }
        };
        let end = if crlf { "\r\n" } else { "\n" };
        let mut text = headers.join(delim);
        text.push_str(end);
        for r in &rows {
            text.push_str(&r.iter().map(|c| quote(c)).collect::<Vec<_>>().join(delim));
            text.push_str(end);
        }
        run_everything(text.as_bytes(), format)?;
    }

    #[test]
    fn every_generated_invoice_row_is_either_a_record_or_in_error(
        specs in prop::collection::vec(
            (0usize..3, 0i32..300, 0i32..=365, 1i64..100_000_000_000, 0u8..9),
            1..40,
        ),
    ) {
        let names = [C1_NAME, "Acme Trading Ltd", C2_USCC];
        let mut text = String::from("Invoice No,Customer,Invoice date,Term,Amount\n");
        let mut bad_lines = Vec::new();
        let mut used = std::collections::HashSet::new();
        for (i, &(c, day, term, minor, corrupt)) in specs.iter().enumerate() {
            let line = i as u64 + 2;
            let mut number = format!("P-{i}");
            let mut customer = names[c].to_string();
            let mut date = d("2026-01-01").add_days(day).iso();
            let mut amount = Money::from_minor(minor).to_plain();
            match corrupt {
                0 => number.clear(),
                1 => amount = format!("-{amount}"),
                2 => date = "2026-02-30".into(),
                3 => customer = "Nobody".into(),
                4 if i > 0 => number = format!("P-{}", i - 1),
                // Issued after the day of the import: today is the latest an invoice can be.
                5 => date = d(TODAY).add_days(1 + day % 30).iso(),
                6 => date = TODAY.into(),
                _ => {}
            }
            // A number repeats only if an earlier row really holds it.
            let repeated = !number.is_empty() && !used.insert(number.clone());
            if corrupt <= 3 || corrupt == 5 || repeated {
                bad_lines.push(line);
            }
            text.push_str(&format!("{number},{customer},{date},{term},{amount}\n"));
        }
        let (_, _, plan) = import(Kind::Invoices, text.as_bytes());
        prop_assert_eq!(plan.rows_total, specs.len());
        prop_assert_eq!(
            plan.records.invoices.len() + plan.rows_in_error.len(),
            plan.rows_total
        );
        prop_assert_eq!(plan.rows_in_error.iter().copied().collect::<Vec<_>>(), bad_lines);
        for inv in &plan.records.invoices {
            prop_assert!(inv.amount.is_positive());
            prop_assert!(inv.due_date >= inv.issue_date);
        }
    }
}

#[test]
fn an_invoice_file_s_disputed_column_reads_yes_no_or_the_amount_within_the_invoice() {
    let file = format!(
        "发票号码,客户名称,开票日期,账期,价税合计,是否争议\n\
         D-1,{C1_NAME},2026-10-01,30,1000,是\n\
         D-2,{C1_NAME},2026-10-01,30,1000,否\n\
         D-3,{C1_NAME},2026-10-01,30,1000,250.50\n\
         D-4,{C1_NAME},2026-10-01,30,1000,1000.01\n\
         D-5,{C1_NAME},2026-10-01,30,1000,maybe\n\
         D-6,{C1_NAME},2026-10-01,30,1000,\n"
    );
    let (_, mapping, plan) = import(Kind::Invoices, file.as_bytes());
    assert_eq!(mapping.column_of(FieldKey::Disputed), Some(5));
    assert_eq!(
        problems(&plan),
        expect(&[
            (5, "是否争议", "I-EXCEEDS-OPEN"),
            (6, "是否争议", "I-AMOUNT")
        ])
    );
    assert_partition(&plan);
    let number_of = |id: InvoiceId| {
        plan.records
            .invoices
            .iter()
            .find(|i| i.id == id)
            .unwrap()
            .number
            .to_string()
    };
    let disputed: Vec<(String, Money)> = plan
        .records
        .disputed
        .iter()
        .map(|&(id, m)| (number_of(id), m))
        .collect();
    assert_eq!(
        disputed,
        [
            ("D-1".to_string(), y(1000)),
            ("D-3".to_string(), Money::from_minor(25_050))
        ]
    );
}

#[test]
fn a_customers_file_fills_the_custom_fields_found_by_their_labels_and_checks_them_as_the_form() {
    use creditdesk_domain::fields::{FieldDef, FieldKind, FieldOption, FieldSet};
    let mut segment = FieldDef::new("segment", "客户细分", "Segment", FieldKind::Choice);
    segment.required = true;
    segment.options = ["retail", "wholesale"]
        .map(|k| FieldOption {
            key: k.into(),
            zh: if k == "retail" { "零售" } else { "批发" }.into(),
            en: k.into(),
            retired: false,
        })
        .to_vec();
    let mut disputed = FieldDef::new(
        "disputed_balance",
        "争议余额",
        "Disputed balance",
        FieldKind::Money,
    );
    disputed.min = Some(creditdesk_domain::rating::Fixed::from_int(0));
    let fields = FieldSet {
        version: 1,
        fields: vec![segment, disputed],
        access: Vec::new(),
    };
    let text = "客户名称,区域,行业,销售代表,首次合作日期,客户细分,Disputed Balance (CNY)\n\
        甲公司,华东,机械,李伟,2024-01-01,批发,\"12,000.5\"\n\
        乙公司,华东,机械,李伟,2024-01-01,online,-5\n\
        丙公司,华东,机械,李伟,2024-01-01,,\n";
    let table = read_table(text, b',').unwrap();
    let mut mapping = guess_mapping(Kind::Customers, &table.headers);
    mapping.guess_custom(&table.headers, &fields);
    assert_eq!(
        mapping.custom,
        [
            ("disputed_balance".to_string(), 6),
            ("segment".to_string(), 5)
        ]
        .into()
    );
    let (customers, ledger) = stored();
    let ctx = Context {
        customers: &customers,
        users: &users(),
        ledger: &ledger,
        meta: meta(),
        fields: &fields,
    };
    let plan = validate(
        Kind::Customers,
        &table,
        &mapping,
        &ctx,
        &mut counter(),
        d(TODAY),
    );
    let got: Vec<(u64, String, String)> = plan
        .problems
        .iter()
        .map(|p| {
            (
                p.row,
                p.column.clone().unwrap_or_default(),
                format!("{:?}", p.problem),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                3,
                "Disputed Balance (CNY)",
                "Invalid { problem: BelowMin { min: 0 } }"
            ),
            (3, "客户细分", "Invalid { problem: NotAChoice }"),
            (4, "客户细分", "Required"),
        ]
        .map(|(r, c, p)| (r, c.to_string(), p.to_string()))
    );
    assert_eq!(plan.records.customers.len(), 1);
    let c = &plan.records.customers[0];
    assert_eq!(
        c.custom["segment"], "wholesale",
        "an option read by its label"
    );
    assert_eq!(c.custom["disputed_balance"], "12000.50");
    // Mapped by hand, a column that held a fixed field holds the custom one instead.
    mapping.map_custom(&table, 3, "segment");
    assert_eq!(mapping.custom_at(3), Some("segment"));
    assert_eq!(mapping.custom_at(5), None);
    assert_eq!(mapping.columns[3], None);
}
