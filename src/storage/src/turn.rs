//! A turn for the browser between slices of long work (reading and parsing at start-up here, the
//! start's and the import's passes in the UI, the backup's file).

use std::cell::Cell;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn perf_now() -> f64;
}

/// Milliseconds on the page's clock (`performance.now()`), to time slices of work.
pub fn now() -> f64 {
    perf_now()
}

/// How long a slice of long work runs before it gives the page a turn: half the 50 ms a task may
/// take, so that a slice's last step never carries it far past.
pub const SLICE_MS: f64 = 25.0;

/// The time of one slice of long work: after each step, [`Slice::breathe`] gives the page a turn
/// once the slice has run [`SLICE_MS`], and a new slice begins.
pub struct Slice(f64);

impl Slice {
    pub fn start() -> Slice {
        Slice(now())
    }

    /// Whether this slice has run its time (a caller with something to do before its turn, such
    /// as showing progress, asks this, then takes [`Slice::turn`]).
    pub fn is_due(&self) -> bool {
        now() - self.0 >= SLICE_MS
    }

    /// A turn for the page, then a new slice.
    pub async fn turn(&mut self) {
        yield_now().await;
        self.0 = now();
    }

    /// A turn for the page if this slice has run its time.
    pub async fn breathe(&mut self) {
        if self.is_due() {
            self.turn().await;
        }
    }
}

/// How long the work may go on through `scheduler.yield()` turns alone before it gives way with a
/// task at the back of the queue. Chromium runs a `scheduler.yield()` continuation ahead of the
/// page's drawing and of other queued tasks (a timer, a reply from the network or from IndexedDB,
/// DevTools): measured at a large book's start, the page then drew about one frame in 100 ms
/// (the browser's own guard against starving its rendering) and a screenshot waited for the whole
/// backup. A task every 50 ms lets the page draw about as often as its slices end.
const TASK_EVERY_MS: f64 = 50.0;

thread_local! {
    /// When the work last gave way with a task (`performance.now()`).
    static LAST_TASK: Cell<f64> = const { Cell::new(0.0) };
    /// How many turns long work has given the page (see [`taken`]).
    static TAKEN: Cell<u64> = const { Cell::new(0) };
}

/// How many turns long work has given the page since it was loaded: what a test reads to see
/// that work took turns.
pub fn taken() -> u64 {
    TAKEN.with(Cell::get)
}

/// Gives the browser a turn between slices of long work: input, rendering and other tasks run,
/// then the work goes on. Mostly `scheduler.yield()` where the browser has it (the work resumes
/// ahead of other queued tasks, so twenty slices do not wait behind whatever else is queued), but
/// at least every `TASK_EVERY_MS` a task of its own at the back of the queue (a message to a
/// `MessageChannel` of ours), so that drawing and every other task get their turn too. Never a
/// zero-delay timeout: browsers hold a nested one back at least 4 ms.
pub async fn yield_now() {
    TAKEN.with(|t| t.set(t.get() + 1));
    let now = perf_now();
    if now - LAST_TASK.with(Cell::get) < TASK_EVERY_MS {
        if let Some(p) = scheduler_yield() {
            let _ = wasm_bindgen_futures::JsFuture::from(p).await;
            return;
        }
    }
    message_turn().await;
    LAST_TASK.with(|t| t.set(perf_now()));
}

/// `scheduler.yield()`'s promise, where the browser has it.
fn scheduler_yield() -> Option<js_sys::Promise> {
    let scheduler = js_sys::Reflect::get(&js_sys::global(), &"scheduler".into())
        .ok()
        .filter(|s| s.is_object())?;
    js_sys::Reflect::get(&scheduler, &"yield".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.call0(&scheduler).ok())
        .and_then(|p| p.dyn_into::<js_sys::Promise>().ok())
}

/// A task at the back of the queue: a message through the page's one `MessageChannel` of ours
/// (see [`PORT`]), whose answer resolves the oldest turn waiting.
async fn message_turn() {
    let turn = js_sys::Promise::new(&mut |resolve, _| {
        let posted = PORT.with(|port| {
            let port = port.get_or_init(Port::open).as_ref()?;
            WAITING.with(|w| w.borrow_mut().push_back(resolve.clone()));
            if port.send.post_message(&JsValue::NULL).is_ok() {
                Some(())
            } else {
                WAITING.with(|w| w.borrow_mut().pop_back());
                None
            }
        });
        if posted.is_none() {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(turn).await;
}

/// Both ends of the channel turns go through, and what answers a message: made once and kept
/// for the page's life. A new `MessageChannel` a turn was, in a backup's trace, 12 ms of a 60 ms
/// task, and much of the garbage a major collection in that task cleared (its ports are pipes
/// the browser makes, then collects).
struct Port {
    send: web_sys::MessagePort,
    _receive: web_sys::MessagePort,
    _answer: Closure<dyn FnMut()>,
}

impl Port {
    /// `None` where the browser makes no channel (every turn then resolves at once).
    fn open() -> Option<Port> {
        let channel = web_sys::MessageChannel::new().ok()?;
        // A message answers the oldest turn waiting: one message is posted for each, and a
        // port delivers its messages in the order posted.
        let answer = Closure::<dyn FnMut()>::new(|| {
            if let Some(resolve) = WAITING.with(|w| w.borrow_mut().pop_front()) {
                let _ = resolve.call0(&JsValue::NULL);
            }
        });
        let receive = channel.port1();
        receive.set_onmessage(Some(answer.as_ref().unchecked_ref()));
        Some(Port {
            send: channel.port2(),
            _receive: receive,
            _answer: answer,
        })
    }
}

thread_local! {
    /// The page's channel for turns, made at the first.
    static PORT: std::cell::OnceCell<Option<Port>> = const { std::cell::OnceCell::new() };
    /// The turns waiting for their message, oldest first.
    static WAITING: std::cell::RefCell<std::collections::VecDeque<js_sys::Function>> =
        const { std::cell::RefCell::new(std::collections::VecDeque::new()) };
}
