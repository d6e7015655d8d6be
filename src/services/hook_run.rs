//! Running an API request hook from async code: handlers may block (JS), so a bound chain runs on a
//! blocking thread; an empty chain costs nothing.

use crate::app::hooks::Hooks;
use crate::app::{App, AppError};
use crate::hook::Hook;

/// Triggers the hook `pick` selects with a no-op default action. `Ok(None)` when a handler stopped the
/// chain without calling `e.next()` (the request then ends with an empty 200).
pub async fn trigger_detached<E: Send + 'static>(
    app: &App,
    pick: fn(&Hooks) -> &Hook<E, AppError>,
    mut ev: E,
) -> Result<Option<E>, AppError> {
    if pick(app.hooks()).is_empty() {
        return Ok(Some(ev));
    }
    let app = app.clone();
    tokio::task::spawn_blocking(move || {
        let mut reached = false;
        pick(app.hooks()).trigger(&mut ev, |_| {
            reached = true;
            Ok(())
        })?;
        Ok(reached.then_some(ev))
    })
    .await
    .map_err(AppError::internal)?
}

/// Runs `f`, which may block on JS handlers, without stalling the async runtime's other tasks: on a
/// runtime worker thread the worker hands its tasks off first; elsewhere (blocking pool, db threads) it
/// simply runs.
pub fn blocking<R>(f: impl FnOnce() -> R) -> R {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}
