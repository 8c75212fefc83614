//! The app's state: the data in memory (thread-local: IndexedDB handles and the ledger are not
//! `Send`, so they stay out of signals), a revision signal that views track, and the actions
//! that validate in the domain, write one transaction, then update memory.

use crate::ui::i18n::Lang;
use creditdesk_app::admin;
use creditdesk_app::{execute, Command, CommandError, Ctx, OrderMove, Receipt};
use creditdesk_domain::credit::Outcome;
use creditdesk_domain::demo::{generate, DemoLang, DemoSpec};
use creditdesk_domain::id::Timestamp;
use creditdesk_domain::ledger::{CreditNoteInput, InvoiceInput, OrderInput, PaymentInput};
use creditdesk_domain::rating::{ModelCode, ModelProblem, Scorecard};
use creditdesk_domain::sort;
use creditdesk_domain::*;
use creditdesk_storage::idb::IdbStore;
use creditdesk_storage::{schema, Store, StoreError, COMPACT_AT};
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;

/// The read model lives in the application crate; the pages know it by this name.
pub use creditdesk_app::Book as Data;
pub use creditdesk_app::GradeChange;

thread_local! {
    static APP: std::cell::Cell<Option<AppState>> = const { std::cell::Cell::new(None) };
    static DATA: Rc<RefCell<Data>> = Rc::new(RefCell::new(Data::default()));
    static DB: RefCell<Option<Rc<IdbStore>>> = const { RefCell::new(None) };
}

pub fn with_data<R>(f: impl FnOnce(&Data) -> R) -> R {
    DATA.with(|d| f(&d.borrow()))
}

pub(crate) fn with_data_mut<R>(f: impl FnOnce(&mut Data) -> R) -> R {
    DATA.with(|d| f(&mut d.borrow_mut()))
}

pub(crate) fn book() -> Rc<RefCell<Data>> {
    DATA.with(Rc::clone)
}

pub(crate) fn db() -> Result<Rc<IdbStore>, StoreError> {
    DB.with_borrow(|d| d.clone())
        .ok_or_else(|| StoreError::Backend("the database is not open".into()))
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    Loading,
    Ready,
    Failed(String),
    /// A new device, and the server behind the page did not answer: nothing was set up.
    Unanswered,
}

/// Signals shared by every view.
#[derive(Clone, Copy)]
pub struct AppState {
    pub lang: RwSignal<Lang>,
    /// Bumped after every change of the data in memory; views that read data track it.
    pub rev: RwSignal<u64>,
    pub phase: RwSignal<Phase>,
    /// False while the ledger is still being read after the customers are on screen.
    pub ledger_ready: RwSignal<bool>,
    /// The list's figures and grades are in the book: kept from the last start (see
    /// `creditdesk_app::figures`) or computed from the ledger.
    pub figures_ready: RwSignal<bool>,
    pub today: RwSignal<Date>,
    /// The time (ms since the epoch), moved on every minute: what pages compare deadlines with.
    pub now: RwSignal<i64>,
    /// A short message about what the user just did. It belongs to the page it was raised on:
    /// the next navigation clears it (see [`AppState::say_next`] for a save that moves on).
    pub toast: RwSignal<Option<String>>,
    /// The toast was raised for the page a save moves to: it survives that one navigation.
    pub toast_follows: RwSignal<bool>,
    pub online: RwSignal<bool>,
    /// Sync with a server (when the app is served by one).
    pub sync: crate::ui::sync::SyncSignals,
    /// The lock page instead of the app (see [`crate::ui::lock`]).
    pub lock: RwSignal<crate::ui::lock::LockView>,
}

impl AppState {
    /// Makes this the state `current` returns.
    pub fn register(self) {
        APP.with(|a| a.set(Some(self)));
    }

    /// The app's state, for code that runs outside a component (after a save).
    pub fn current() -> Option<AppState> {
        APP.with(|a| a.get())
    }

    pub fn new() -> AppState {
        let lang = web_sys::window()
            .and_then(|w| w.navigator().language())
            .map(|l| Lang::from_browser(&l))
            .unwrap_or(Lang::Zh);
        AppState {
            lang: RwSignal::new(lang),
            rev: RwSignal::new(0),
            phase: RwSignal::new(Phase::Loading),
            ledger_ready: RwSignal::new(false),
            figures_ready: RwSignal::new(false),
            today: RwSignal::new(today()),
            now: RwSignal::new(now().0),
            toast: RwSignal::new(None),
            toast_follows: RwSignal::new(false),
            online: RwSignal::new(
                web_sys::window()
                    .map(|w| w.navigator().on_line())
                    .unwrap_or(true),
            ),
            sync: crate::ui::sync::SyncSignals::new(),
            lock: RwSignal::new(crate::ui::lock::LockView::Open),
        }
    }

    /// Reads the data, tracking the revision so that the view updates after changes.
    pub fn data<R>(&self, f: impl FnOnce(&Data) -> R) -> R {
        self.rev.track();
        with_data(f)
    }

    pub fn t(&self, key: crate::ui::i18n::T) -> &'static str {
        self.lang.get().t(key)
    }

    /// Moves to a phase. Setting the phase it is in already changes nothing: a start-up run
    /// again over the page (after the first sync, a sign-in) refreshes the data through
    /// [`AppState::changed`] and keeps what is being typed into a form, instead of drawing every
    /// page anew.
    pub fn set_phase(&self, p: Phase) {
        if self.phase.with_untracked(|now| *now != p) {
            self.phase.set(p);
        }
    }

    pub fn changed(&self) {
        self.rev.update(|r| *r += 1);
    }

    /// A toast for the page the app is about to show (a save that navigates raises it).
    pub fn say_next(&self, text: String) {
        self.toast.set(Some(text));
        self.toast_follows.set(true);
    }

    pub fn set_lang(&self, lang: Lang) {
        self.lang.set(lang);
        set_document_lang(lang);
        leptos::task::spawn_local(async move {
            if let Ok(db) = db() {
                let _ = creditdesk_storage::settings::LANG
                    .write(&*db, lang.code())
                    .await;
            }
        });
    }
}

impl Default for AppState {
    fn default() -> Self {
        AppState::new()
    }
}

pub fn set_document_lang(lang: Lang) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = el.set_attribute("lang", lang.code());
    }
}

/// Today in the browser's time zone: the only place the app reads the clock for dates.
pub fn today() -> Date {
    let d = js_sys::Date::new_0();
    Date::from_ymd(d.get_full_year() as i32, d.get_month() + 1, d.get_date()).unwrap_or_default()
}

pub fn now() -> Timestamp {
    Timestamp(js_sys::Date::now() as i64)
}

pub fn perf_now() -> f64 {
    creditdesk_storage::turn::now()
}

/// Random bytes for ids, drawn from the browser's generator 256 ids at a time.
struct IdPool {
    bytes: [u8; 4096],
    used: usize,
}

impl IdPool {
    const fn new() -> IdPool {
        IdPool {
            bytes: [0; 4096],
            used: 4096,
        }
    }

    /// The next random (version 4) id; the pool is filled again by `fill` once used up (`None`
    /// if it could not be: nothing of the pool is used twice).
    fn next(&mut self, fill: impl FnOnce(&mut [u8]) -> bool) -> Option<u128> {
        if self.used + 16 > self.bytes.len() {
            if !fill(&mut self.bytes) {
                return None;
            }
            self.used = 0;
        }
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&self.bytes[self.used..self.used + 16]);
        self.used += 16;
        Some(
            uuid::Builder::from_random_bytes(bytes)
                .into_uuid()
                .as_u128(),
        )
    }
}

thread_local! {
    static IDS: RefCell<IdPool> = const { RefCell::new(IdPool::new()) };
}

/// Fills `buf` from the global `crypto` (a window's, a worker's or Node's).
fn fill_random(buf: &mut [u8]) -> bool {
    use wasm_bindgen::JsCast;
    js_sys::Reflect::get(&js_sys::global(), &"crypto".into())
        .ok()
        .filter(|c| c.is_object())
        .map(|c| c.unchecked_into::<web_sys::Crypto>())
        .is_some_and(|c| c.get_random_values_with_u8_array(buf).is_ok())
}

/// A new random (version 4) id. The browser's generator is asked for 256 ids' bytes at a time:
/// an import draws an id for each of its rows, and a call into the browser per id cost about
/// 100 ms for 100,000 rows.
pub(crate) fn new_uuid() -> u128 {
    IDS.with_borrow_mut(|p| p.next(fill_random))
        .unwrap_or_else(|| uuid::Uuid::new_v4().as_u128())
}

/// Timings of the start-up, published on `window.__cd_timings` for the benchmark.
pub(crate) fn publish_timing(key: &str, ms: f64) {
    if let Some(w) = web_sys::window() {
        let obj = js_sys::Reflect::get(&w, &"__cd_timings".into())
            .ok()
            .filter(|v| v.is_object())
            .unwrap_or_else(|| {
                let o: wasm_bindgen::JsValue = js_sys::Object::new().into();
                let _ = js_sys::Reflect::set(&w, &"__cd_timings".into(), &o);
                o
            });
        let _ = js_sys::Reflect::set(&obj, &key.into(), &ms.into());
    }
}

pub fn mark_ready() {
    publish_timing("listReady", perf_now());
}

fn demo_lang(lang: Lang) -> DemoLang {
    match lang {
        Lang::Zh => DemoLang::Zh,
        Lang::En => DemoLang::En,
    }
}

/// `?seed=large|huge|demo|empty` replaces the data at start-up: only in a build made for the tests
/// and benchmarks (`CREDITDESK_TEST_HOOKS` set at build time); the app people use has no such
/// side door.
fn seed_param() -> Option<String> {
    seed_from(&web_sys::window()?.location().search().ok()?)
}

/// `?hold_ledger` (test builds only) keeps the start-up from reading the ledger until the test
/// sets `window.__cd_release_ledger`: what the page shows before the ledger can then be checked.
async fn hold_ledger_for_tests() {
    if option_env!("CREDITDESK_TEST_HOOKS").is_none() {
        return;
    }
    let Some(w) = web_sys::window() else { return };
    let held = w
        .location()
        .search()
        .ok()
        .and_then(|q| web_sys::UrlSearchParams::new_with_str(&q).ok())
        .is_some_and(|p| p.has("hold_ledger"));
    while held
        && !js_sys::Reflect::get(&w, &"__cd_release_ledger".into()).is_ok_and(|v| v.is_truthy())
    {
        gloo_timers::future::TimeoutFuture::new(20).await;
    }
}

/// The seed a query string asks for, in a test build; never in the app people use.
pub(crate) fn seed_from(search: &str) -> Option<String> {
    option_env!("CREDITDESK_TEST_HOOKS")?;
    web_sys::UrlSearchParams::new_with_str(search)
        .ok()?
        .get("seed")
}

/// Opens the database, loads everything, and (on a first open) writes the demo data set.
pub async fn boot(state: AppState) {
    match boot_inner(state).await {
        Ok(()) => state.set_phase(Phase::Ready),
        Err(BootError::Store(e)) => {
            web_sys::console::error_1(&format!("CreditDesk could not load: {e}").into());
            state.phase.set(Phase::Failed(e.to_string()));
        }
        Err(BootError::ServerSilent) => {
            web_sys::console::error_1(
                &"CreditDesk could not load: the server did not answer".into(),
            );
            state.phase.set(Phase::Unanswered);
        }
    }
}

/// Why a start stopped.
enum BootError {
    Store(StoreError),
    /// A new device, and the server behind the page took the request and did not answer.
    ServerSilent,
}

impl From<StoreError> for BootError {
    fn from(e: StoreError) -> Self {
        BootError::Store(e)
    }
}

async fn boot_inner(state: AppState) -> Result<(), BootError> {
    use crate::ui::sync::Probe;
    use futures_util::future::{select, Either};
    let t0 = perf_now();
    publish_timing("wasmStart", t0);
    // What needs the ledger waits for it from here on: a start after a sign-in, an unlock or a
    // restore replaces a book that had one, and from the first sync's write on the book no
    // longer holds what the store does (nothing derived from it is kept: see `keep_figures`).
    state.ledger_ready.set(false);
    // Whether a server answers is asked while the database opens, not after it; a locked
    // device's lock page shows without waiting for the answer. A start-up after an unlock (or a
    // sign-in) goes on with the store already open: its key is in it.
    let open = DB.with_borrow(|d| d.clone());
    let open = std::pin::pin!(async {
        let s = match open {
            Some(s) => Ok(s),
            None => IdbStore::open(schema::DB_NAME).await.map(Rc::new),
        };
        publish_timing("idbOnlyMs", perf_now() - t0);
        s
    });
    let probe = std::pin::pin!(async {
        let up = crate::ui::sync::probe().await;
        publish_timing("probeMs", perf_now() - t0);
        up
    });
    let (store, probe) = match select(open, probe).await {
        Either::Left((store, probe)) => (store, Either::Left(probe)),
        Either::Right((up, open)) => (open.await, Either::Right(up)),
    };
    let store = store?;
    publish_timing("idbMs", perf_now() - t0);
    DB.with_borrow_mut(|d| *d = Some(store.clone()));
    // Encrypted and not yet opened: the lock page asks for the secret, then starts this again.
    if let creditdesk_storage::idb::LockState::Locked(secret) = store.lock_state() {
        state.lock.set(crate::ui::lock::LockView::Locked(secret));
        publish_timing("locked", perf_now());
        return Ok(());
    }
    publish_timing("lockChecked", perf_now());
    let up = match probe {
        Either::Left(asking) => asking.await,
        Either::Right(up) => up,
    };
    let up = match up {
        Probe::Up(health) => Some(health),
        Probe::Absent => None,
        // No answer: a device that has been served starts offline from what it holds, and so
        // does one that has only ever worked alone with a book of its own. A new device cannot
        // tell a hung server from none, and must not start a book of its own where a server
        // may hold the company's: it says so and offers to try again.
        Probe::Silent => {
            if !creditdesk_app::sync::synced(&*store).await? && admin::first_start(&*store).await? {
                return Err(BootError::ServerSilent);
            }
            None
        }
    };
    // Three settings, asked for at once.
    let (lang, hidden, device) = futures_util::join!(
        creditdesk_storage::settings::LANG.read(&*store),
        creditdesk_storage::settings::REPORT_COLUMNS.read(&*store),
        creditdesk_storage::settings::DEVICE.read(&*store),
    );
    // A preference too: one that cannot be read leaves the language the browser asked for.
    match lang {
        Ok(Some(code)) => {
            if let Some(lang) = Lang::from_code(&code) {
                state.lang.set(lang);
            }
        }
        Ok(None) => {}
        Err(e) => web_sys::console::warn_1(&format!("language not read: {e}").into()),
    }
    set_document_lang(state.lang.get_untracked());
    // A preference: one that cannot be read is left out, never a reason not to start.
    if let Ok(Some(hidden)) = hidden {
        crate::ui::pages::reports::set_hidden_columns(hidden);
    }
    let device = match device?.and_then(|s| DeviceId::parse(&s)) {
        Some(d) => d,
        None => {
            let d = DeviceId::from_u128(new_uuid());
            creditdesk_storage::settings::DEVICE
                .write(&*store, &d.to_string())
                .await?;
            d
        }
    };
    let as_of = state.today.get_untracked();
    // Served by a server: sign in first; the data comes from the server, never from a seed.
    let Some(acting) = crate::ui::sync::start(state, up).await? else {
        state.set_phase(Phase::Ready);
        return Ok(());
    };
    let synced = acting.is_some();
    if synced {
        // The first pull (or whatever changed while the app was closed) before the data loads.
        crate::ui::sync::first_sync(state).await;
        if crate::ui::sync::ledger_coming() {
            // A new device shows the pulled list now; the start-up runs again once the ledger
            // is stored.
            return Ok(());
        }
    }
    let seed = if synced { None } else { seed_param() };
    if let Some(seed) = seed.as_deref() {
        let t = perf_now();
        match seed {
            "large" => {
                admin::write_dataset(&*store, generate(&DemoSpec::large(as_of)), false).await?
            }
            // Five million invoices: written as they are made, a thousand customers at a time.
            "huge" => {
                admin::write_in_parts(&*store, &DemoSpec::huge(as_of), 1_000, yield_now).await?
            }
            "demo" => {
                let lang = demo_lang(state.lang.get_untracked());
                admin::write_dataset(&*store, generate(&DemoSpec::demo(as_of, lang)), true).await?;
            }
            "empty" => {
                admin::write_dataset(&*store, Default::default(), false).await?;
            }
            _ => {}
        }
        admin::started(&*store).await?;
        publish_timing("seedMs", perf_now() - t);
        // When the seed was written: the benchmark tells its tasks from the start's after it.
        publish_timing("seedDone", perf_now());
    }
    if admin::first_start(&*store).await? {
        let t = perf_now();
        let lang = demo_lang(state.lang.get_untracked());
        admin::write_dataset(&*store, generate(&DemoSpec::demo(as_of, lang)), true).await?;
        admin::started(&*store).await?;
        publish_timing("demoMs", perf_now() - t);
    }

    // Reps stored by name (before they were users' ids) are linked to the directory, once.
    for w in creditdesk_app::reps::link_reps(&*store).await? {
        web_sys::console::warn_1(&w.into());
    }
    let lang = demo_lang(state.lang.get_untracked());
    let t_config = perf_now();
    publish_timing("settingsMs", t_config - t0);
    // The configuration, the trail's head (what the next commands chain to; the whole trail is
    // read with the ledger, after the list is on screen) and the customers are asked for at once:
    // IndexedDB reads one while the page parses another.
    let (config, head, user, customers, kept) = futures_util::join!(
        async {
            let c = creditdesk_app::load::configuration(&*store, as_of, || {
                // A synced device's directory is the server's (the first pull brings it).
                match &acting {
                    Some(me) => vec![me.clone()],
                    None => creditdesk_domain::demo::users(lang),
                }
            })
            .await;
            publish_timing("configMs", perf_now() - t_config);
            c
        },
        async {
            let h = store.last_audit().await;
            publish_timing("headMs", perf_now() - t_config);
            h
        },
        creditdesk_storage::settings::USER.read(&*store),
        async {
            let c = store.load_customers().await;
            publish_timing("customersReadMs", perf_now() - t_config);
            c
        },
        // The figures the last start derived, if no data changed since: the list shows them
        // until the ledger is read and they are computed again.
        async {
            let t = perf_now();
            let kept = store.derived().await;
            publish_timing("keptReadMs", perf_now() - t);
            kept
        },
    );
    let ((config, warnings), head) = (config?, head?);
    for w in warnings {
        web_sys::console::warn_1(&w.into());
    }
    let user = user?.unwrap_or_else(|| "admin".into());

    // First the customers: the list is usable while the ledger is still being read. The book is
    // made of them, and the list drawn, each in a task of its own: the page answers in between.
    yield_now().await;
    let t_open = perf_now();
    let customers = customers?;
    // For the tests and the benchmark: the customers came as one record (no customer changed
    // since the last keep), not one record each.
    publish_timing(
        "customersOneRecord",
        f64::from(u8::from(store.customers_from_list())),
    );
    with_data_mut(|d| {
        *d = Data::from_parts(
            config,
            customers,
            as_of,
            device,
            user,
            head.into_iter().collect(),
        );
        d.synced = synced;
    });
    publish_timing("fromPartsMs", perf_now() - t_open);
    // The kept figures in a task of their own too (the book and they were one of about 60 ms).
    yield_now().await;
    // A store that cannot read them only costs the preview.
    let kept = match kept {
        Ok(k) => k,
        Err(e) => {
            web_sys::console::warn_1(&format!("kept figures not read: {e}").into());
            None
        }
    };
    // For the tests and the benchmark: how many bytes were kept and still valid for the data.
    publish_timing("keptFound", kept.as_ref().map_or(0, Vec::len) as f64);
    let t_kept = perf_now();
    let from_kept = kept.is_some_and(|b| with_data_mut(|d| creditdesk_app::figures::apply(&b, d)));
    if from_kept {
        seed_name_order(state.lang.get_untracked());
    }
    publish_timing("keptApplyMs", perf_now() - t_kept);
    yield_now().await;
    state.figures_ready.set(from_kept);
    let t_draw = perf_now();
    state.set_phase(Phase::Ready);
    state.changed();
    publish_timing("drawCallMs", perf_now() - t_draw);
    if from_kept {
        request_animation_frame(|| publish_timing("figuresReady", perf_now()));
    }
    let t_customers = perf_now();
    // wasm memory never shrinks: what it holds before the ledger and once the ledger is built
    // shows the start's peak against its steady state (the benchmark prints them).
    publish_timing("memBeforeLedgerMiB", cd_wasm_memory_bytes() / 1_048_576.0);

    // Then the ledger, decoded a few chunks at a time so that the page keeps answering.
    // The audit trail is read and parsed while the ledger's chunks are still being read.
    hold_ledger_for_tests().await;
    let (raw, trail) = futures_util::join!(store.load_ledger_in_place(), store.load_audit());
    let (mut raw, trail) = (raw?, trail?);
    publish_timing("auditEntries", trail.len() as f64);
    // A command committed since the head was read is in memory and perhaps not in `trail`.
    with_data_mut(|d| d.take_trail(trail));
    let t_read = perf_now();
    // Each row is filed in the ledger's compact rows as it is decoded (never held twice), a chunk
    // at a time; then allocations are resolved 10,000 rows a step (50,000 a task were tasks of
    // 60-70 ms). One slice throughout: a turn for the page whenever it has taken
    // `turn::SLICE_MS`, the decoding's last slice going on into the resolving.
    let mut builder = creditdesk_domain::ledger::LedgerBuilder::with_capacity(raw.counts());
    let mut slice = creditdesk_storage::turn::Slice::start();
    raw.decode_in_turns(&mut builder, &mut slice).await?;
    let t_decoded = perf_now();
    while !builder.step(10_000) {
        slice.breathe().await;
    }
    let ledger = builder.finish();
    let t_ledger = perf_now();
    publish_timing("memLedgerMiB", cd_wasm_memory_bytes() / 1_048_576.0);
    yield_now().await;
    let summaries = ledger.summaries(as_of);
    let t_summaries = perf_now();
    // Monitoring's rules and state (holds count in the credit check) before the figures show.
    let (rules, monitor, warning) = creditdesk_app::monitoring::load(&*store).await?;
    if let Some(w) = warning {
        web_sys::console::warn_1(&w.into());
    }
    // The rating's metrics, then the ledger and its figures joining the book, then the grades:
    // in tasks of their own. Until the ledger is ready the pages show the kept figures and
    // grades, which these equal on the usual start.
    yield_now().await;
    // The metrics (about 35 ms at 10,000 customers) a thousand customers a step, with turns,
    // from the ledger before it joins the book; should the data change meanwhile (a command: the
    // revision moves; a sync's rebase, which replaces the customers before it says so), they are
    // computed again at once with it.
    let rev = state.rev.get_untracked();
    let mut metrics = creditdesk_app::MetricsParts::default();
    let mut metrics_ms = 0.0;
    let mut slice = creditdesk_storage::turn::Slice::start();
    loop {
        let t = perf_now();
        let done = with_data(|d| d.metrics_part(&ledger, &mut metrics, 1_000));
        metrics_ms += perf_now() - t;
        if done {
            break;
        }
        slice.breathe().await;
    }
    yield_now().await;
    let changed = state.rev.get_untracked() != rev;
    metrics_ms += with_data_mut(|d| {
        d.rules = rules;
        d.monitor = monitor;
        d.ledger = ledger;
        d.summaries = summaries;
        d.adjust_disputed();
        // The dashboard is drawn from the ledger from now on.
        d.kept_dashboard = None;
        d.kept_order = None;
        let t = perf_now();
        d.take_metrics(metrics, changed);
        perf_now() - t
    });
    yield_now().await;
    let score_ms = with_data_mut(|d| {
        let t = perf_now();
        d.rescore();
        perf_now() - t
    });
    publish_timing("metricsMs", metrics_ms);
    publish_timing("scoreMs", score_ms);
    // The pages drawn again with the ledger's figures, in a task of their own.
    yield_now().await;
    state.ledger_ready.set(true);
    state.figures_ready.set(true);
    state.changed();
    if !from_kept {
        request_animation_frame(|| publish_timing("figuresReady", perf_now()));
    }
    publish_timing("openMs", t_open - t0);
    publish_timing("customersMs", t_customers - t_open);
    publish_timing("readMs", t_read - t_customers);
    publish_timing("decodeMs", t_decoded - t_read);
    publish_timing("ledgerMs", t_ledger - t_decoded);
    publish_timing("summariesMs", t_summaries - t_ledger);
    request_animation_frame(|| publish_timing("ledgerReady", perf_now()));
    publish_timing("bootDone", perf_now());
    // Time spent decrypting records (an encrypted device; 0 otherwise).
    publish_timing(
        "openRecordsMs",
        creditdesk_storage::crypt::opening_ms().max(0.000_1),
    );
    // Then, in the background: the demo's requests, expiry, and every rule over every customer
    // (the day may have changed since the last start).
    let lang = demo_lang(state.lang.get_untracked());
    let background = store.clone();
    crate::ui::sync::keep_in_sync(state);
    leptos::task::spawn_local(async move {
        // On a synced device the server expires requests and makes no demo.
        if !synced {
            crate::ui::approvals::after_boot(&background, lang).await;
        }
        // The rules in a task of their own, and the storage asked about in another: the three
        // in one task were 100-125 ms traced at a large book's start.
        yield_now().await;
        let t_rules = perf_now();
        if let Err(e) = crate::ui::monitoring::watch(None).await {
            web_sys::console::warn_1(&format!("rules not run: {e}").into());
        }
        publish_timing("rulesMs", perf_now() - t_rules);
        yield_now().await;
        // The book is on this device: ask the browser not to evict it under storage pressure
        // (Chromium answers from its own signals, Firefox asks the user once). The answer is on
        // the settings page; a browser without the Storage API only logs it.
        if let Err(e) = creditdesk_storage::durable::ask_to_persist().await {
            web_sys::console::warn_1(&format!("persistent storage not asked: {e}").into());
        }
        // The pages drawn again with the rules' writes, then what this start derived kept for
        // the next start: in this order, the timeline the keeping computes is the one of the
        // data the pages show (the other way round, the dashboard made the pass again).
        state.changed();
        keep_figures().await;
        publish_timing("backgroundDone", perf_now());
    });
    if raw.tail.len() >= COMPACT_AT {
        leptos::task::spawn_local(async move {
            if let Err(e) = store.compact().await {
                web_sys::console::warn_1(&format!("compaction postponed: {e}").into());
            }
        });
    }
    Ok(())
}

/// Takes the list's order by name kept with the figures, when it is in the user's language and
/// ranks every customer: the list's first sort by name then asks the browser nothing.
fn seed_name_order(lang: crate::ui::i18n::Lang) {
    with_data(|d| {
        let ranks = d
            .kept_order
            .as_ref()
            .and_then(|o| o.ranks_for(d, lang.code()));
        if let Some(ranks) = ranks {
            let names: Vec<&str> = d.customers.iter().map(|c| c.name.as_str()).collect();
            crate::ui::collate::seed(lang, &names, ranks);
            // For the tests: the first sort by name used the kept order.
            publish_timing("keptOrder", 1.0);
        }
    });
}

/// Keeps the list's figures and grades, and the dashboard, for the next start (see
/// `creditdesk_app::figures`), once the ledger is read. Losing them only costs the next start its preview: a failure is logged.
pub(crate) async fn keep_figures() {
    let Some(state) = AppState::current() else {
        return;
    };
    if !state.ledger_ready.get_untracked() {
        return;
    }
    let Ok(store) = db() else { return };
    let t = perf_now();
    // Where the book stands: the bytes are filed under the revision the store holds when they are
    // handed to it, so they must come from a book that holds what the store holds then.
    let mark = with_data(|d| d.mark());
    // The home page's unfiltered dashboard for this user, from the per-customer timeline of this
    // data revision.
    let Some(rev) = timeline_in_slices(&state).await else {
        return;
    };
    let t_timeline = perf_now();
    let lang = state.lang.get_untracked();
    let dash = with_data(|d| creditdesk_app::reports::dashboard(d, &Default::default(), rev));
    // The figures' encoding in a task of its own, on the data the dashboard was made of.
    yield_now().await;
    // Nothing kept if, in the turns, the data changed (a command, a run of the rules), a write
    // began that has not reached the book (a pull adopted, the book not yet read again), another
    // book took this one's place, the data is being replaced (a restore: the book is read
    // again), or a pull was adopted and the book could not be read again: a later keep keeps
    // them. From this check to the store's taking of its revision, in `put_derived` before its
    // first wait, nothing else runs.
    let same = state.ledger_ready.get_untracked()
        && state.rev.get_untracked() == rev
        && with_data(|d| d.writing == 0 && !d.behind_store && d.mark() == mark);
    if !same {
        return;
    }
    let bytes = with_data(|d| {
        // The list's order by name, if this start sorted by it (it is not computed for this).
        let names: Vec<&str> = d.customers.iter().map(|c| c.name.as_str()).collect();
        let order = crate::ui::collate::cached(lang, &names)
            .map(|ranks| creditdesk_app::figures::NameOrder::of(d, lang.code(), ranks));
        creditdesk_app::figures::encode(d, Some(&dash), order.as_ref())
    });
    let t_encoded = perf_now();
    match store.put_derived(&bytes).await {
        Ok(()) => {
            thread_local!(static KEPT: std::cell::Cell<u32> = const { std::cell::Cell::new(0) });
            let n = KEPT.with(|k| {
                k.set(k.get() + 1);
                k.get()
            });
            publish_timing("keptCount", n as f64);
            publish_timing("keptTimelineMs", t_timeline - t);
            publish_timing("keptEncodeMs", t_encoded - t_timeline);
            publish_timing("keptBytes", bytes.len() as f64);
            publish_timing("keptMs", perf_now() - t);
        }
        Err(e) => web_sys::console::warn_1(&format!("figures not kept: {e}").into()),
    }
}

/// Makes sure the dashboard's timeline of the current data revision is kept
/// (`creditdesk_app::reports::kept_timeline`): as the dashboard left it, or computed a slice of
/// 500 customers at a time with a turn for the page between slices (in one go it is a few hundred
/// milliseconds at a million invoices). A change meanwhile starts it again, three times at most.
/// The revision it is for; `None` when it could not be finished.
async fn timeline_in_slices(state: &AppState) -> Option<u64> {
    timeline_sliced(state, with_data(|d| d.as_of), || true).await
}

thread_local! {
    /// The revision and date of the timeline pass under way, if any.
    static PASSING: std::cell::Cell<Option<(u64, Date)>> = const { std::cell::Cell::new(None) };
}

/// [`timeline_in_slices`] as of a date (the dashboard's, when its filter names one), for as long
/// as `wanted` says the caller still wants it (a date typed on changes at each digit): a pass
/// no longer wanted stops, and does not replace the kept timeline. A caller that finds a pass of
/// the same revision and date under way waits for it rather than making its own.
pub(crate) async fn timeline_sliced(
    state: &AppState,
    as_of: Date,
    wanted: impl Fn() -> bool,
) -> Option<u64> {
    use creditdesk_app::reports::{kept_timeline, TimelineBuilder};
    for _ in 0..3 {
        let rev = state.rev.get_untracked();
        if kept_timeline(rev, as_of).is_some() {
            return Some(rev);
        }
        if !state.ledger_ready.get_untracked() || !wanted() {
            return None;
        }
        let key = Some((rev, as_of));
        if PASSING.get() == key {
            while PASSING.get() == key && wanted() {
                gloo_timers::future::TimeoutFuture::new(20).await;
            }
            continue;
        }
        PASSING.set(key);
        let mut b = with_data(|d| TimelineBuilder::new(d, rev, as_of));
        while !with_data(|d| b.step(d, 500)) && state.rev.get_untracked() == rev && wanted() {
            yield_now().await;
        }
        // Only its own mark: another pass may have begun meanwhile.
        if PASSING.get() == key {
            PASSING.set(None);
        }
        if !wanted() {
            return None;
        }
        if state.rev.get_untracked() == rev {
            b.finish();
            return Some(rev);
        }
    }
    None
}

pub(crate) use creditdesk_storage::turn::yield_now;

/// Replaces everything on this device with the demo data set, or with nothing.
pub async fn replace_data(state: AppState, demo: bool) -> Result<(), SaveError> {
    let store = db()?;
    let me = with_data(|d| d.me());
    let data = demo.then(|| {
        generate(&DemoSpec::demo(
            state.today.get_untracked(),
            demo_lang(state.lang.get_untracked()),
        ))
    });
    // A refusal writes nothing and reads nothing again.
    admin::allowed(&*store, &me).await?;
    // The book no longer holds what the store does from the write on (see `keep_figures`); no
    // sync begins, and one under way ends first.
    state.ledger_ready.set(false);
    state.phase.set(Phase::Loading);
    crate::ui::sync::wait_idle().await;
    let done = admin::start_again(&*store, &me, now().0, data).await;
    // Read again either way: the replacement is several writes, and one that fails may leave
    // some done.
    boot(state).await;
    Ok(done?)
}

/// Why a save did not happen. Nothing is changed in either case.
#[derive(Clone, Debug, PartialEq)]
pub enum SaveError {
    Invalid(Vec<FieldError>),
    /// The workflow refused: not your role, your own request, a step already taken...
    Denied(creditdesk_domain::approval::ApprovalError),
    /// A command refused for another reason (not yours, the credit check, not paid...).
    Refused(CommandError),
    Store(String),
}

impl From<StoreError> for SaveError {
    fn from(e: StoreError) -> Self {
        SaveError::Store(e.to_string())
    }
}

impl From<CommandError> for SaveError {
    fn from(e: CommandError) -> Self {
        match e {
            CommandError::Invalid(errs) => SaveError::Invalid(errs),
            CommandError::Workflow(a) => SaveError::Denied(a),
            CommandError::Store(s) => SaveError::Store(s),
            e => SaveError::Refused(e),
        }
    }
}

/// Who acts, on which device, now: the signed-in user, today's business day.
pub(crate) fn ctx() -> Ctx {
    with_data(|d| Ctx {
        actor: d.me(),
        device: d.device,
        now: now(),
        as_of: d.as_of,
        command_id: uuid::Uuid::from_u128(new_uuid()).to_string(),
    })
}

/// Runs a command of the application crate as the signed-in user, then the rules over the
/// customers it touched.
pub(crate) async fn run(cmd: Command, files: Vec<(String, Vec<u8>)>) -> Result<Receipt, SaveError> {
    run_as(&ctx(), cmd, files).await
}

pub(crate) async fn run_as(
    ctx: &Ctx,
    cmd: Command,
    files: Vec<(String, Vec<u8>)>,
) -> Result<Receipt, SaveError> {
    // A pull replaces the stored data: a command waits for it to finish.
    crate::ui::sync::wait_idle().await;
    let store = db()?;
    let receipt = execute(&*store, &book(), ctx, cmd, files).await?;
    if !receipt.touched.is_empty() {
        crate::ui::monitoring::after_change(receipt.touched.clone());
    }
    if let Some(state) = AppState::current() {
        crate::ui::sync::after_change(state);
    }
    Ok(receipt)
}

/// Creates (`existing: None`) or edits a customer; `why` is needed when the external profile
/// changes.
pub async fn save_customer(
    input: CustomerInput,
    existing: Option<CustomerId>,
    why: String,
) -> Result<CustomerId, SaveError> {
    let id = existing.unwrap_or_else(|| CustomerId::from_u128(new_uuid()));
    let create = existing.is_none();
    run(
        Command::SaveCustomer {
            id,
            create,
            input,
            why,
        },
        Vec::new(),
    )
    .await?;
    Ok(id)
}

/// Records an order after the credit check: an order the check blocks is saved as held, a
/// prepaid one as awaiting payment.
pub async fn save_order(
    customer: CustomerId,
    input: OrderInput,
    prepaid: bool,
) -> Result<(OrderId, Option<Outcome>), SaveError> {
    let id = OrderId::from_u128(new_uuid());
    let r = run(
        Command::RecordOrder {
            id,
            customer,
            input,
            prepaid,
        },
        Vec::new(),
    )
    .await?;
    Ok((id, r.outcome))
}

/// Ships or cancels an order.
pub async fn move_order(order: OrderId, to: OrderMove) -> Result<(), SaveError> {
    run(Command::MoveOrder { order, to }, Vec::new()).await?;
    Ok(())
}

pub async fn save_invoice(
    customer: CustomerId,
    input: InvoiceInput,
) -> Result<InvoiceId, SaveError> {
    let id = InvoiceId::from_u128(new_uuid());
    run(
        Command::RecordInvoice {
            id,
            customer,
            input,
        },
        Vec::new(),
    )
    .await?;
    Ok(id)
}

pub async fn save_payment(
    customer: CustomerId,
    input: PaymentInput,
) -> Result<PaymentId, SaveError> {
    let id = PaymentId::from_u128(new_uuid());
    run(
        Command::RecordPayment {
            id,
            customer,
            input,
        },
        Vec::new(),
    )
    .await?;
    Ok(id)
}

pub async fn save_credit_note(
    customer: CustomerId,
    input: CreditNoteInput,
) -> Result<CreditNoteId, SaveError> {
    let id = CreditNoteId::from_u128(new_uuid());
    run(
        Command::RecordCreditNote {
            id,
            customer,
            input,
        },
        Vec::new(),
    )
    .await?;
    Ok(id)
}

/// Records a call, visit, e-mail or message on the customer's file.
pub async fn log_contact(
    customer: CustomerId,
    input: creditdesk_domain::contact::ContactInput,
) -> Result<(), SaveError> {
    let id = format!("{:032x}", new_uuid());
    run(
        Command::LogContact {
            customer,
            id,
            input,
        },
        Vec::new(),
    )
    .await?;
    Ok(())
}

/// Opens a dispute of one of the customer's invoices.
pub async fn open_dispute(
    customer: CustomerId,
    input: creditdesk_domain::dispute::DisputeInput,
) -> Result<(), SaveError> {
    let id = format!("{:032x}", new_uuid());
    run(
        Command::OpenDispute {
            customer,
            id,
            input,
        },
        Vec::new(),
    )
    .await?;
    Ok(())
}

/// Resolves an open dispute (a credit note, a write-off request, or upheld).
pub async fn resolve_dispute(
    customer: CustomerId,
    dispute: String,
    resolve: creditdesk_domain::dispute::Resolve,
    note: String,
) -> Result<(), SaveError> {
    run(
        Command::ResolveDispute {
            customer,
            dispute,
            resolve,
            note,
        },
        Vec::new(),
    )
    .await?;
    Ok(())
}

/// Corrects the ledger as of today (a void or a reallocation).
pub async fn correct(customer: CustomerId, fix: Fix, reason: String) -> Result<(), SaveError> {
    let id = CorrectionId::from_u128(new_uuid());
    run(
        Command::Correct {
            id,
            customer,
            fix,
            reason,
        },
        Vec::new(),
    )
    .await?;
    Ok(())
}

/// Keeps the draft being edited (an empty document means no draft).
pub async fn save_draft(draft: Option<Scorecard>) -> Result<(), SaveError> {
    run(Command::SaveDraft { draft }, Vec::new()).await?;
    Ok(())
}

/// Publishes the draft as the next version and regrades every customer with it.
pub async fn publish(draft: Scorecard) -> Result<u32, Vec<ModelProblem>> {
    match run(Command::PublishScorecard { draft }, Vec::new()).await {
        Ok(r) => Ok(r.count as u32),
        Err(SaveError::Refused(CommandError::Model(problems))) => Err(problems),
        Err(e) => Err(vec![ModelProblem {
            code: ModelCode::Refused,
            at: "scorecard".into(),
            detail: match e {
                SaveError::Refused(e) => e.to_string(),
                SaveError::Store(s) => s,
                e => format!("{e:?}"),
            },
        }]),
    }
}

/// Metrics and grades for every customer; returns the milliseconds of each step.
fn rate_all(d: &mut Data) -> (f64, f64) {
    let t = perf_now();
    d.compute_metrics();
    let t_metrics = perf_now();
    d.rescore();
    (t_metrics - t, perf_now() - t_metrics)
}

/// Moves the figures to a new day (the app stayed open over midnight).
pub fn roll_to(state: AppState, today: Date) {
    let moved = with_data_mut(|d| d.roll_to(today));
    if moved {
        state.changed();
        // A new day: invoices fall due, limits expire, reviews come due.
        leptos::task::spawn_local(async move {
            if crate::ui::monitoring::watch(None).await.is_ok() {
                state.changed();
            }
        });
    }
}

pub async fn storage_stats() -> Result<creditdesk_storage::Stats, StoreError> {
    db()?.stats().await
}

/// Publishes the benchmark's hooks: committing `n` payments through the same path as the form.
#[wasm_bindgen::prelude::wasm_bindgen]
pub async fn cd_bench_commit(n: u32) -> js_sys::Array {
    let out = js_sys::Array::new();
    // Real payments: only in a build made for the tests and benchmarks.
    if option_env!("CREDITDESK_TEST_HOOKS").is_none() {
        return out;
    }
    let target = with_data(|d| {
        d.summaries
            .iter()
            .filter(|(_, s)| s.open_ar.minor() > n as i64)
            .map(|(id, _)| *id)
            .next()
    });
    let Some(customer) = target else { return out };
    let date = with_data(|d| d.as_of.iso());
    COMMIT_STORE_MS.with_borrow_mut(Vec::clear);
    for _ in 0..n {
        let t = perf_now();
        let w = creditdesk_storage::idb::writing_ms();
        let r = save_payment(
            customer,
            PaymentInput {
                reference: String::new(),
                date: date.clone(),
                amount: "0.01".into(),
                invoice: None,
            },
        )
        .await;
        if r.is_err() {
            break;
        }
        out.push(&(perf_now() - t).into());
        let store = creditdesk_storage::idb::writing_ms() - w;
        COMMIT_STORE_MS.with_borrow_mut(|v| v.push(store));
    }
    out
}

thread_local! {
    /// The store's part of each commit of the last [`cd_bench_commit`].
    static COMMIT_STORE_MS: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
}

/// Of each payment the last [`cd_bench_commit`] recorded, the milliseconds spent in the store's
/// write transaction (from its opening to the browser's commit); the rest of the commit is the
/// command's own work (authorise, validate, allocate, the audit entry, memory).
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn cd_bench_commit_store_ms() -> Vec<f64> {
    COMMIT_STORE_MS.with_borrow(Clone::clone)
}

/// Runs of the rescore and report benchmarks, their median printed: as many as the native
/// baseline's (the domain's `rescore` example), so that one slow run does not move the ratio.
const KERNEL_RUNS: usize = 11;

/// The middle of a benchmark's timings (milliseconds).
fn median(mut v: Vec<f64>) -> f64 {
    sort::by(&mut v, f64::total_cmp);
    v[v.len() / 2]
}

/// Rating benchmark: metrics and grades for every loaded customer, [`KERNEL_RUNS`] times; returns
/// JSON with the median milliseconds of each step.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn cd_bench_rescore() -> String {
    let (mut m, mut s) = (Vec::new(), Vec::new());
    with_data_mut(|d| {
        for _ in 0..KERNEL_RUNS {
            let (a, b) = rate_all(d);
            m.push(a);
            s.push(b);
        }
    });
    format!(
        r#"{{"metrics_ms":{:.2},"score_ms":{:.2}}}"#,
        median(m),
        median(s)
    )
}

/// Import benchmark: the kernels of an import of `csv` (decoded and read; then every row checked
/// against the data in memory), each run in one go, as the domain's `import` example runs them
/// natively: the median of [`IMPORT_RUNS`] runs of each, as JSON. Nothing is written.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn cd_bench_import_kernels(csv: &str) -> String {
    use creditdesk_domain::import::{
        decode, guess_mapping, read_table, sniff_delimiter, validate, Context, Kind,
    };
    let (mut parse, mut check) = (Vec::new(), Vec::new());
    let mut rows = 0;
    with_data(|d| {
        for _ in 0..IMPORT_RUNS {
            let t = perf_now();
            let text = decode(csv.as_bytes()).text;
            let Ok(table) = read_table(&text, sniff_delimiter(&text)) else {
                return;
            };
            parse.push(perf_now() - t);
            let t = perf_now();
            let ctx = Context {
                customers: &d.customers,
                users: &[],
                ledger: &d.ledger,
                meta: creditdesk_domain::id::Meta::new(
                    creditdesk_domain::id::DeviceId::from_u128(1),
                    Timestamp(0),
                ),
                fields: &Default::default(),
            };
            let mut n = 0u128;
            let plan = validate(
                Kind::Invoices,
                &table,
                &guess_mapping(Kind::Invoices, &table.headers),
                &ctx,
                &mut || {
                    n += 1;
                    n
                },
                d.as_of,
            );
            check.push(perf_now() - t);
            rows = plan.records.len();
        }
    });
    if parse.is_empty() {
        return r#"{"error":"the file has no header line"}"#.into();
    }
    format!(
        r#"{{"parse_ms":{:.2},"check_ms":{:.2},"valid":{rows}}}"#,
        median(parse),
        median(check)
    )
}

/// Runs of the import's kernels (a check of 100,000 rows is about 200 ms): the same as the
/// native example's (the domain's `import`).
const IMPORT_RUNS: usize = 5;

/// The customers as this device's store holds them (opened, as JSON): what the tests read to
/// show that a field hidden from the user was never stored here. Empty outside a test build.
#[wasm_bindgen::prelude::wasm_bindgen]
pub async fn cd_test_stored_customers() -> String {
    if option_env!("CREDITDESK_TEST_HOOKS").is_none() {
        return String::new();
    }
    let Ok(db) = db() else {
        return String::new();
    };
    match db.load_customers().await {
        Ok(c) => serde_json::to_string(&c).unwrap_or_default(),
        Err(e) => format!("error: {e}"),
    }
}

/// Rescoring benchmark of an analyst's additive model: 15 characteristics (12 built-in metrics,
/// 3 custom fields whose values are put on every customer for the run), against the weighted
/// model in force on the same metrics, median of 5 each; `{weighted_ms, additive_ms, n}`.
/// The book is left as it was.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn cd_bench_rescore_additive() -> String {
    use creditdesk_domain::fields::{FieldDef, FieldKind, FieldOption, FieldSet};
    use creditdesk_domain::rating::analyst::Additive;
    if option_env!("CREDITDESK_TEST_HOOKS").is_none() {
        return String::new();
    }
    let metrics = [
        ("cooperation_years", ["1", "3", "6"]),
        ("orders_per_month", ["1", "4", "10"]),
        ("avg_order_amount", ["5000", "20000", "80000"]),
        ("sales_12m", ["100000", "500000", "2000000"]),
        ("avg_days_to_pay", ["30", "45", "60"]),
        ("days_beyond_terms", ["1", "7", "20"]),
        ("overdue_count", ["1", "2", "4"]),
        ("overdue_amount", ["1", "10000", "50000"]),
        ("max_days_late_12m", ["1", "15", "45"]),
        ("registered_capital", ["1000000", "5000000", "20000000"]),
        ("years_since_founding", ["2", "5", "10"]),
        ("report_score", ["40", "60", "80"]),
    ];
    let mut card = String::from("variable,bin,points\nbasepoints,,600\n");
    for (i, (v, cuts)) in metrics.iter().enumerate() {
        let sign = if i % 2 == 0 { 1 } else { -1 };
        card.push_str(&format!(
            "{v},missing,0\n{v},\"[-inf,{}.0)\",{}\n",
            cuts[0],
            -10 * sign
        ));
        card.push_str(&format!(
            "{v},\"[{}.0,{}.0)\",{}\n",
            cuts[0],
            cuts[1],
            -3 * sign
        ));
        card.push_str(&format!(
            "{v},\"[{}.0,{}.0)\",{}\n",
            cuts[1],
            cuts[2],
            4 * sign
        ));
        card.push_str(&format!("{v},\"[{}.0,inf)\",{}\n", cuts[2], 9 * sign));
    }
    card.push_str("segment,\"retail%,%missing\",8\nsegment,wholesale,-6\nsegment,export,2\n");
    card.push_str("disputed_balance,missing,0\ndisputed_balance,\"[-inf,10000.0)\",-5\ndisputed_balance,\"[10000.0,inf)\",-25\n");
    card.push_str(
        "headcount,missing,0\nheadcount,\"[-inf,50.0)\",-4\nheadcount,\"[50.0,inf)\",6\n",
    );
    let option = |k: &str| FieldOption {
        key: k.into(),
        zh: k.into(),
        en: k.into(),
        retired: false,
    };
    let mut segment = FieldDef::new("segment", "细分", "Segment", FieldKind::Choice);
    segment.options = ["retail", "wholesale", "export"].map(option).to_vec();
    let fields = FieldSet {
        version: 1,
        fields: vec![
            segment,
            FieldDef::new("disputed_balance", "争议", "Disputed", FieldKind::Money),
            FieldDef::new("headcount", "人数", "Headcount", FieldKind::Number),
        ],
        access: Vec::new(),
    };
    let Ok(additive) = Additive::read(&card, &fields) else {
        return String::new();
    };
    with_data_mut(|d| {
        let weighted = d.model.clone();
        let model = creditdesk_domain::rating::Scorecard {
            thresholds: additive.even_bands(),
            factors: Vec::new(),
            additive: Some(additive),
            ..weighted.clone()
        };
        let kept: Vec<_> = d
            .metrics
            .iter()
            .map(|(id, m)| (*id, m.custom.clone()))
            .collect();
        for (i, m) in d.metrics.values_mut().enumerate() {
            m.custom.insert(
                "segment".into(),
                ["retail", "wholesale", "export"][i % 3].into(),
            );
            m.custom.insert(
                "disputed_balance".into(),
                format!("{}.00", (i * 37) % 20_000),
            );
            m.custom
                .insert("headcount".into(), ((i * 13) % 120).to_string());
        }
        let time = |model: &creditdesk_domain::rating::Scorecard, d: &mut Data| {
            d.model = model.clone();
            let mut v = Vec::new();
            for _ in 0..5 {
                let t = perf_now();
                d.rescore();
                v.push(perf_now() - t);
            }
            median(v)
        };
        let w = time(&weighted, d);
        let a = time(&model, d);
        d.model = weighted;
        for (id, custom) in kept {
            if let Some(m) = d.metrics.get_mut(&id) {
                m.custom = custom;
            }
        }
        d.rescore();
        format!(
            r#"{{"weighted_ms":{w:.2},"additive_ms":{a:.2},"n":{}}}"#,
            d.metrics.len()
        )
    })
}

/// Credit-check benchmark: `n` checks of orders for customers across the book; returns the
/// milliseconds of each (building the check's input from memory included).
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn cd_bench_check(n: u32) -> js_sys::Array {
    let out = js_sys::Array::new();
    with_data(|d| {
        let len = d.customers.len().max(1);
        for k in 0..n as usize {
            let id = d.customers[(k * 7919) % len].id;
            let t = perf_now();
            let r = d.check_order(id, Money::from_units(10_000 + k as i64), false);
            out.push(&(perf_now() - t).into());
            std::hint::black_box(r);
        }
    });
    out
}

/// Times one evaluation of every rule over every customer, as JSON `{facts_ms, rules_ms,
/// hits}`: the facts from the figures in memory, then the rules (no writes), median of 5.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn cd_bench_rules() -> String {
    let (mut facts_ms, mut rules_ms, mut hits) = (Vec::new(), Vec::new(), 0);
    with_data(|d| {
        for _ in 0..5 {
            let t = perf_now();
            let facts = crate::ui::monitoring::facts_of(d, None);
            let t1 = perf_now();
            hits = creditdesk_domain::monitor::evaluate(&d.rules, &facts).len();
            rules_ms.push(perf_now() - t1);
            facts_ms.push(t1 - t);
        }
    });
    format!(
        r#"{{"facts_ms":{},"rules_ms":{},"hits":{hits}}}"#,
        median(facts_ms),
        median(rules_ms)
    )
}

/// What is loaded, as JSON, for the benchmark's report.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn cd_counts_json() -> String {
    with_data(|d| {
        format!(
            r#"{{"as_of":"{}","customers":{},"orders":{},"invoices":{},"payments":{},"credit_notes":{}}}"#,
            d.as_of,
            d.customers.len(),
            d.ledger.orders().len(),
            d.ledger.invoice_count(),
            d.ledger.payment_count(),
            d.ledger.credit_notes().len()
        )
    })
}

/// Memory in use by the wasm module, in bytes (for the benchmark's report).
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn cd_wasm_memory_bytes() -> f64 {
    use wasm_bindgen::JsCast;
    wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length() as f64
}

/// Reports benchmark, as JSON: aging of the whole ledger on the as-of date (one sum, and one row
/// per customer), the dashboard's figures unfiltered and for one sales rep, and as a baseline
/// in the same run the list's figures (`Ledger::summaries`); medians of [`KERNEL_RUNS`], in
/// milliseconds.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn cd_bench_reports() -> String {
    use crate::ui::reports::{dashboard, Filter};
    with_data(|d| {
        let ids: Vec<CustomerId> = d.customers.iter().map(|c| c.id).collect();
        let median = |f: &dyn Fn()| {
            median(
                (0..KERNEL_RUNS)
                    .map(|_| {
                        let t = perf_now();
                        f();
                        perf_now() - t
                    })
                    .collect(),
            )
        };
        let aging = median(&|| {
            std::hint::black_box(d.ledger.portfolio(ids.iter().copied(), &[d.as_of]));
        });
        let by_customer = median(&|| {
            std::hint::black_box(d.ledger.per_customer(&ids, &[d.as_of]));
        });
        // Cold: a new data revision each time, so the timeline is computed again.
        let rev = std::cell::Cell::new(u64::MAX / 2);
        let all = median(&|| {
            rev.set(rev.get() + 1);
            std::hint::black_box(dashboard(d, &Filter::default(), rev.get()));
        });
        let rep = Filter {
            rep: d
                .customers
                .first()
                .map(|c| c.sales_rep.clone())
                .unwrap_or_default(),
            ..Filter::default()
        };
        // Warm: the same revision, another filter (what a filter change costs).
        let one_rep = median(&|| {
            std::hint::black_box(dashboard(d, &rep, rev.get()));
        });
        let all_warm = median(&|| {
            std::hint::black_box(dashboard(d, &Filter::default(), rev.get()));
        });
        let baseline = median(&|| {
            std::hint::black_box(d.ledger.summaries(d.as_of));
        });
        format!(
            r#"{{"aging_ms":{aging:.2},"aging_by_customer_ms":{by_customer:.2},"dashboard_all_ms":{all:.2},"dashboard_all_warm_ms":{all_warm:.2},"dashboard_rep_ms":{one_rep:.2},"summaries_ms":{baseline:.2}}}"#
        )
    })
}

/// Names of `n` customers spread over the book, each a name no other customer has (the import
/// benchmark refers to them).
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn cd_bench_customer_names(n: u32) -> js_sys::Array {
    let out = js_sys::Array::new();
    with_data(|d| {
        for name in creditdesk_domain::demo::unique_names(&d.customers, n as usize) {
            out.push(&name.into());
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn a_url_cannot_replace_the_data_in_the_app_people_use() {
        // The tests are built without CREDITDESK_TEST_HOOKS, like the app `./x serve` builds.
        assert_eq!(option_env!("CREDITDESK_TEST_HOOKS"), None);
        for search in ["?seed=empty", "?seed=demo", "?x=1&seed=large", "?seed=huge"] {
            assert_eq!(seed_from(search), None, "{search}");
        }
    }

    #[test]
    fn ids_come_from_a_pool_drawn_256_at_a_time_never_reusing_a_byte() {
        let mut pool = IdPool::new();
        let mut fills = 0u8;
        let ids: Vec<uuid::Uuid> = (0..600)
            .map(|_| {
                let id = pool.next(|buf| {
                    fills += 1;
                    // Each id's 16 bytes name the fill and the place in it.
                    for (k, id) in buf.chunks_mut(16).enumerate() {
                        id.copy_from_slice(&((u128::from(fills) << 64) | k as u128).to_le_bytes());
                    }
                    true
                });
                uuid::Uuid::from_u128(id.unwrap())
            })
            .collect();
        // 600 ids: the first fill and two more.
        assert_eq!(fills, 3);
        assert!(ids
            .iter()
            .all(|u| u.get_version_num() == 4 && u.get_variant() == uuid::Variant::RFC4122));
        let distinct: std::collections::HashSet<_> = ids.iter().collect();
        assert_eq!(distinct.len(), ids.len());
        // A fill that fails gives no id and uses nothing up.
        let mut empty = IdPool::new();
        assert_eq!(empty.next(|_| false), None);
        assert_eq!(empty.used, 4096);
    }

    #[test]
    fn new_ids_are_version_4_and_distinct() {
        let ids: std::collections::HashSet<u128> = (0..600).map(|_| new_uuid()).collect();
        assert_eq!(ids.len(), 600);
        assert!(ids
            .iter()
            .all(|&u| uuid::Uuid::from_u128(u).get_version_num() == 4));
    }
}
