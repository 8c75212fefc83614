//! The kinds of import, their fields, header synonyms and the column mapping.

use super::table::Table;
use super::values::DateFormat;
use serde::{Deserialize, Serialize};

/// What a file holds: one kind of record per file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Customers,
    Orders,
    Invoices,
    Payments,
    CreditNotes,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Customers,
        Kind::Orders,
        Kind::Invoices,
        Kind::Payments,
        Kind::CreditNotes,
    ];

    /// A stable key: `customers`, `orders`, `invoices`, `payments`, `credit_notes`.
    pub fn key(self) -> &'static str {
        match self {
            Kind::Customers => "customers",
            Kind::Orders => "orders",
            Kind::Invoices => "invoices",
            Kind::Payments => "payments",
            Kind::CreditNotes => "credit_notes",
        }
    }

    /// The fields of this kind, in the order a form would show them.
    pub fn fields(self) -> &'static [Field] {
        match self {
            Kind::Customers => &CUSTOMER_FIELDS,
            Kind::Orders => &ORDER_FIELDS,
            Kind::Invoices => &INVOICE_FIELDS,
            Kind::Payments => &PAYMENT_FIELDS,
            Kind::CreditNotes => &CREDIT_NOTE_FIELDS,
        }
    }

    /// The description of one field of this kind; `None` if the kind has no such field.
    pub fn field(self, key: FieldKey) -> Option<&'static Field> {
        self.fields().iter().find(|f| f.key == key)
    }
}

/// A field a column can be mapped to. Serialised as its stable key (`issue_date`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKey {
    Customer,
    Number,
    IssueDate,
    DueDate,
    TermDays,
    Amount,
    Date,
    Reference,
    Invoice,
    Order,
    Category,
    Status,
    Name,
    Uscc,
    ContactPerson,
    Phone,
    Email,
    Address,
    Region,
    Industry,
    SalesRep,
    FirstCooperation,
    RegisteredCapital,
    Founded,
    Shareholders,
    LitigationCount,
    LitigationOpenAmount,
    IndustryPosition,
    ReportScore,
    ReportDate,
    /// An invoice's disputed part: yes (all of it), no, or an amount.
    Disputed,
}

impl FieldKey {
    pub const COUNT: usize = 31;
    pub const ALL: [FieldKey; FieldKey::COUNT] = [
        FieldKey::Customer,
        FieldKey::Number,
        FieldKey::IssueDate,
        FieldKey::DueDate,
        FieldKey::TermDays,
        FieldKey::Amount,
        FieldKey::Date,
        FieldKey::Reference,
        FieldKey::Invoice,
        FieldKey::Order,
        FieldKey::Category,
        FieldKey::Status,
        FieldKey::Name,
        FieldKey::Uscc,
        FieldKey::ContactPerson,
        FieldKey::Phone,
        FieldKey::Email,
        FieldKey::Address,
        FieldKey::Region,
        FieldKey::Industry,
        FieldKey::SalesRep,
        FieldKey::FirstCooperation,
        FieldKey::RegisteredCapital,
        FieldKey::Founded,
        FieldKey::Shareholders,
        FieldKey::LitigationCount,
        FieldKey::LitigationOpenAmount,
        FieldKey::IndustryPosition,
        FieldKey::ReportScore,
        FieldKey::ReportDate,
        FieldKey::Disputed,
    ];

    /// The stable key, the same as its serde form (and, for customers, as the form's field name
    /// in [`crate::party::field`]).
    pub fn key(self) -> &'static str {
        use FieldKey::*;
        match self {
            Customer => "customer",
            Number => "number",
            IssueDate => "issue_date",
            DueDate => "due_date",
            TermDays => "term_days",
            Amount => "amount",
            Date => "date",
            Reference => "reference",
            Invoice => "invoice",
            Order => "order",
            Category => "category",
            Status => "status",
            Name => "name",
            Uscc => "uscc",
            ContactPerson => "contact_person",
            Phone => "phone",
            Email => "email",
            Address => "address",
            Region => "region",
            Industry => "industry",
            SalesRep => "sales_rep",
            FirstCooperation => "first_cooperation",
            RegisteredCapital => "registered_capital",
            Founded => "founded",
            Shareholders => "shareholders",
            LitigationCount => "litigation_count",
            LitigationOpenAmount => "litigation_open_amount",
            IndustryPosition => "industry_position",
            ReportScore => "report_score",
            ReportDate => "report_date",
            Disputed => "disputed",
        }
    }

    pub fn from_key(key: &str) -> Option<FieldKey> {
        FieldKey::ALL.into_iter().find(|f| f.key() == key)
    }

    /// True for the fields holding a date (read with the mapping's [`DateFormat`]).
    pub fn is_date(self) -> bool {
        use FieldKey::*;
        matches!(
            self,
            IssueDate | DueDate | Date | FirstCooperation | Founded | ReportDate
        )
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// Whether a field must have a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Need {
    Required,
    Optional,
    /// Required unless the other field has a column (an invoice's due date or its term).
    RequiredUnless(FieldKey),
}

/// One field of a kind: its key, whether it is required, and the header texts that mean it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Field {
    pub key: FieldKey,
    pub need: Need,
    /// Header texts recognised for this field, strongest first (compared after
    /// [`normalise_header`]). The key itself (`issue_date`) is always recognised too.
    pub synonyms: &'static [&'static str],
}

const fn f(key: FieldKey, need: Need, synonyms: &'static [&'static str]) -> Field {
    Field {
        key,
        need,
        synonyms,
    }
}

use FieldKey as K;
use Need::{Optional as O, Required as R};

const CUSTOMER_REF: &[&str] = &[
    "客户名称",
    "客户",
    "客户全称",
    "购买方名称",
    "购方名称",
    "付款单位",
    "付款方",
    "公司名称",
    "单位名称",
    "Customer",
    "Customer name",
    "Client",
    "Client name",
    "Company",
    "Payer",
];

static CUSTOMER_FIELDS: [Field; 18] = [
    f(
        K::Name,
        R,
        &[
            "客户名称",
            "客户全称",
            "客户",
            "公司名称",
            "企业名称",
            "单位名称",
            "名称",
            "Customer name",
            "Customer",
            "Company name",
            "Company",
            "Name",
        ],
    ),
    f(
        K::Uscc,
        O,
        &[
            "统一社会信用代码",
            "社会信用代码",
            "信用代码",
            "纳税人识别号",
            "税号",
            "USCC",
            "Unified social credit code",
            "Social credit code",
            "Credit code",
            "Tax ID",
        ],
    ),
    f(
        K::ContactPerson,
        O,
        &["联系人", "联系人姓名", "Contact person", "Contact"],
    ),
    f(
        K::Phone,
        O,
        &[
            "联系电话",
            "电话",
            "手机",
            "手机号",
            "Phone",
            "Telephone",
            "Tel",
            "Mobile",
        ],
    ),
    f(
        K::Email,
        O,
        &[
            "电子邮箱",
            "邮箱",
            "电子邮件",
            "邮件",
            "Email",
            "E-mail",
            "Mail",
        ],
    ),
    f(
        K::Address,
        O,
        &["地址", "注册地址", "公司地址", "联系地址", "Address"],
    ),
    f(K::Region, R, &["区域", "地区", "大区", "Region", "Area"]),
    f(K::Industry, R, &["行业", "所属行业", "Industry", "Sector"]),
    f(
        K::SalesRep,
        R,
        &[
            "销售代表",
            "销售员",
            "业务员",
            "销售",
            "客户经理",
            "负责人",
            "Sales rep",
            "Sales representative",
            "Salesperson",
            "Account manager",
        ],
    ),
    f(
        K::FirstCooperation,
        R,
        &[
            "首次合作日期",
            "首次合作时间",
            "开始合作日期",
            "合作开始日期",
            "首次合作",
            "First cooperation",
            "First cooperation date",
            "Customer since",
            "Since",
        ],
    ),
    f(
        K::RegisteredCapital,
        O,
        &["注册资本", "注册资金", "Registered capital"],
    ),
    f(
        K::Founded,
        O,
        &[
            "成立日期",
            "成立时间",
            "注册日期",
            "Founded",
            "Date founded",
            "Founding date",
            "Established",
        ],
    ),
    f(
        K::Shareholders,
        O,
        &["股东", "股东信息", "股东及持股比例", "Shareholders"],
    ),
    f(
        K::LitigationCount,
        O,
        &[
            "诉讼数量",
            "诉讼次数",
            "涉诉数量",
            "涉诉次数",
            "Litigation count",
            "Lawsuits",
        ],
    ),
    f(
        K::LitigationOpenAmount,
        O,
        &[
            "未结诉讼金额",
            "诉讼金额",
            "涉诉金额",
            "Open litigation amount",
            "Litigation amount",
        ],
    ),
    f(K::IndustryPosition, O, &["行业地位", "Industry position"]),
    f(
        K::ReportScore,
        O,
        &[
            "信用报告评分",
            "信用评分",
            "报告评分",
            "征信评分",
            "Report score",
            "Credit score",
        ],
    ),
    f(
        K::ReportDate,
        O,
        &["报告日期", "评分日期", "信用报告日期", "Report date"],
    ),
];

static ORDER_FIELDS: [Field; 6] = [
    f(
        K::Number,
        R,
        &[
            "订单号",
            "订单编号",
            "销售订单号",
            "订单号码",
            "单号",
            "单据编号",
            "Order no",
            "Order number",
            "Order",
            "SO",
            "SO number",
            "Number",
            "No",
        ],
    ),
    f(K::Customer, R, CUSTOMER_REF),
    f(
        K::Date,
        R,
        &["订单日期", "下单日期", "日期", "Order date", "Date"],
    ),
    f(
        K::Amount,
        R,
        &[
            "订单金额",
            "金额",
            "价税合计",
            "含税金额",
            "总金额",
            "Order amount",
            "Amount",
            "Total",
            "Value",
        ],
    ),
    f(
        K::Category,
        O,
        &[
            "产品类别",
            "产品分类",
            "品类",
            "类别",
            "Product category",
            "Category",
        ],
    ),
    f(
        K::Status,
        O,
        &["订单状态", "状态", "Order status", "Status"],
    ),
];

static INVOICE_FIELDS: [Field; 8] = [
    f(
        K::Number,
        R,
        &[
            "发票号码",
            "发票号",
            "发票编号",
            "发票",
            "Invoice no",
            "Invoice number",
            "Invoice",
            "Number",
            "No",
        ],
    ),
    f(K::Customer, R, CUSTOMER_REF),
    f(
        K::IssueDate,
        R,
        &[
            "开票日期",
            "发票日期",
            "开具日期",
            "日期",
            "Invoice date",
            "Issue date",
            "Date",
        ],
    ),
    f(
        K::DueDate,
        Need::RequiredUnless(K::TermDays),
        &[
            "到期日",
            "到期日期",
            "应收日期",
            "收款到期日",
            "Due date",
            "Due",
        ],
    ),
    f(
        K::TermDays,
        O,
        &[
            "账期",
            "账期天数",
            "账期天",
            "付款期限",
            "信用期",
            "Term",
            "Terms",
            "Term days",
            "Payment terms",
            "Days",
        ],
    ),
    f(
        K::Amount,
        R,
        &[
            "价税合计",
            "发票金额",
            "含税金额",
            "金额",
            "总金额",
            "Amount",
            "Invoice amount",
            "Gross amount",
            "Total",
        ],
    ),
    f(
        K::Order,
        O,
        &[
            "订单号",
            "订单编号",
            "销售订单号",
            "Order no",
            "Order number",
            "Order",
            "SO",
        ],
    ),
    f(
        K::Disputed,
        O,
        &[
            "争议",
            "争议金额",
            "是否争议",
            "有争议",
            "Disputed",
            "Disputed amount",
            "Dispute",
            "In dispute",
        ],
    ),
];

static PAYMENT_FIELDS: [Field; 5] = [
    f(K::Customer, R, CUSTOMER_REF),
    f(
        K::Date,
        R,
        &[
            "回款日期",
            "付款日期",
            "收款日期",
            "到账日期",
            "交易日期",
            "日期",
            "Payment date",
            "Date received",
            "Date",
        ],
    ),
    f(
        K::Amount,
        R,
        &[
            "回款金额",
            "收款金额",
            "付款金额",
            "到账金额",
            "金额",
            "Payment amount",
            "Amount",
        ],
    ),
    f(
        K::Reference,
        O,
        &[
            "银行流水号",
            "交易流水号",
            "流水号",
            "凭证号",
            "参考号",
            "票据号",
            "Reference",
            "Bank reference",
            "Ref",
        ],
    ),
    f(
        K::Invoice,
        O,
        &[
            "核销发票",
            "核销发票号",
            "对应发票",
            "发票号码",
            "发票号",
            "Invoice",
            "Invoice no",
            "Invoice number",
        ],
    ),
];

static CREDIT_NOTE_FIELDS: [Field; 5] = [
    f(
        K::Number,
        R,
        &[
            "红字发票号码",
            "红字发票号",
            "贷项通知单号",
            "贷项凭证号",
            "红冲单号",
            "折让单号",
            "单号",
            "Credit note no",
            "Credit note number",
            "Credit note",
            "Number",
            "No",
        ],
    ),
    f(K::Customer, R, CUSTOMER_REF),
    f(
        K::Invoice,
        R,
        &[
            "原发票号码",
            "原发票号",
            "原发票",
            "蓝字发票号码",
            "蓝字发票号",
            "对应发票",
            "发票号码",
            "发票号",
            "Original invoice",
            "Invoice",
            "Invoice no",
            "Invoice number",
        ],
    ),
    f(
        K::Date,
        R,
        &[
            "红冲日期",
            "开具日期",
            "开票日期",
            "日期",
            "Credit note date",
            "Issue date",
            "Date",
        ],
    ),
    f(
        K::Amount,
        R,
        &["红冲金额", "金额", "价税合计", "Credit amount", "Amount"],
    ),
];

/// How columns are read: which field each header column holds, and how dates are written.
/// The app saves it (serde) to offer it again for the next file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    pub kind: Kind,
    /// One entry per header column: the field it holds, or `None` (ignored).
    pub columns: Vec<Option<FieldKey>>,
    #[serde(default)]
    pub date_format: DateFormat,
    /// Customers only: the custom fields read from columns, by the field's key (a column holds
    /// one field, fixed or custom).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub custom: std::collections::BTreeMap<String, usize>,
    /// The source can carry no custom field (the ERP link): a required custom field is not asked
    /// of its rows, as an ERP update does not ask it either.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub without_custom: bool,
}

impl Mapping {
    /// The first column mapped to `field`.
    pub fn column_of(&self, field: FieldKey) -> Option<usize> {
        self.columns.iter().position(|c| *c == Some(field))
    }

    /// Maps header column `column` (0-based) to `field`, or ignores it (`None`), as the user
    /// does by hand; the columns grow to reach `column` if needed. When a date field gains or
    /// loses a column this way, the date format is guessed again from the values now read
    /// ([`super::guess_date_format`]), so that a format guessed from one column is never applied
    /// to another written differently (it may become `Auto`: the user is then asked). Mapping a
    /// column that holds no date keeps the format, whether guessed or chosen.
    pub fn map_column(&mut self, table: &Table, column: usize, field: Option<FieldKey>) {
        if self.columns.len() <= column {
            self.columns.resize(column + 1, None);
        }
        self.custom.retain(|_, c| *c != column);
        let old = std::mem::replace(&mut self.columns[column], field);
        let is_date = |f: Option<FieldKey>| f.is_some_and(FieldKey::is_date);
        if old != field && (is_date(old) || is_date(field)) {
            self.date_format = super::values::guess_date_format(table, self);
        }
    }
}

impl Mapping {
    /// The custom field a column holds, if any.
    pub fn custom_at(&self, column: usize) -> Option<&str> {
        self.custom
            .iter()
            .find(|(_, c)| **c == column)
            .map(|(k, _)| k.as_str())
    }

    /// Maps header column `column` to the custom field `key` (customers only): the column's
    /// fixed field, and any other column of that custom field, are let go.
    pub fn map_custom(&mut self, table: &Table, column: usize, key: &str) {
        self.map_column(table, column, None);
        self.custom.insert(key.to_string(), column);
    }

    /// Maps the columns left unmapped whose header is a custom field's key or label (either
    /// language), as [`guess_mapping`] does for the fixed fields. Customers only.
    pub fn guess_custom(&mut self, headers: &[String], fields: &crate::fields::FieldSet) {
        if self.kind != Kind::Customers {
            return;
        }
        // A saved mapping may name a field since retired: it no longer takes a column.
        self.custom
            .retain(|k, _| fields.get(k).is_some_and(|d| !d.retired));
        for f in fields.active() {
            if self.custom.contains_key(&f.key) {
                continue;
            }
            let names = [&f.key, &f.label_zh, &f.label_en].map(|s| normalise_header(s, false));
            let found = headers.iter().enumerate().position(|(i, h)| {
                let taken = self.columns.get(i).copied().flatten().is_some()
                    || self.custom.values().any(|c| *c == i);
                !taken
                    && [false, true].iter().any(|drop| {
                        let h = normalise_header(h, *drop);
                        !h.is_empty() && names.contains(&h)
                    })
            });
            if let Some(i) = found {
                self.custom.insert(f.key.clone(), i);
            }
        }
    }
}

/// Folds a header for comparison: full-width forms to ASCII, lower case, and only letters and
/// digits kept (`"Invoice No."` → `invoiceno`, `"发票号码："` → `发票号码`). With
/// `drop_brackets`, text inside brackets goes too (`"金额（元）"` → `金额`).
pub fn normalise_header(s: &str, drop_brackets: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0u32;
    for c in s.chars().map(super::values::fold_char) {
        match c {
            '(' | '[' | '{' | '<' | '【' | '〔' | '《' if drop_brackets => depth += 1,
            ')' | ']' | '}' | '>' | '】' | '〕' | '》' if drop_brackets => {
                depth = depth.saturating_sub(1)
            }
            _ if depth > 0 => {}
            c if c.is_alphanumeric() => out.extend(c.to_lowercase()),
            _ => {}
        }
    }
    out
}

/// Proposes a mapping from the header texts: case-, space- and punctuation-insensitive
/// ([`normalise_header`]), first on the whole header, then with bracketed text dropped. Each
/// field goes to at most one column and each column to at most one field; when several columns
/// could hold a field, the one matching its stronger synonym wins (then the leftmost).
/// Dates are [`DateFormat::Auto`]; see [`super::guess_date_format`] to look at the values, and
/// [`Mapping::map_column`] for a change by hand.
pub fn guess_mapping(kind: Kind, headers: &[String]) -> Mapping {
    let fields = kind.fields();
    // Candidate pairs: (pass, synonym rank, column, field index).
    let mut candidates: Vec<(u8, usize, usize, usize)> = Vec::new();
    for (col, h) in headers.iter().enumerate() {
        for pass in 0..2u8 {
            let norm = normalise_header(h, pass == 1);
            if norm.is_empty() {
                continue;
            }
            for (fi, field) in fields.iter().enumerate() {
                let key = normalise_header(field.key.key(), false);
                let rank = if key == norm {
                    Some(0)
                } else {
                    field
                        .synonyms
                        .iter()
                        .position(|s| normalise_header(s, false) == norm)
                        .map(|r| r + 1)
                };
                if let Some(rank) = rank {
                    candidates.push((pass, rank, col, fi));
                }
            }
        }
    }
    candidates.sort_unstable();
    let mut columns: Vec<Option<FieldKey>> = vec![None; headers.len()];
    let mut taken = vec![false; fields.len()];
    for (_, _, col, fi) in candidates {
        if columns[col].is_none() && !taken[fi] {
            columns[col] = Some(fields[fi].key);
            taken[fi] = true;
        }
    }
    Mapping {
        kind,
        columns,
        date_format: DateFormat::Auto,
        custom: Default::default(),
        without_custom: false,
    }
}
