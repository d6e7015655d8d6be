//! The generic hook chain: handlers with an id and a priority, run in order, each deciding whether to call `next`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// A handler: gets the event and the rest of the chain.
pub type HandlerFn<E, X> = Arc<dyn Fn(&mut E, Next<'_, '_, E, X>) -> Result<(), X> + Send + Sync>;

struct Handler<E, X> {
    id: String,
    priority: i32,
    func: HandlerFn<E, X>,
}

impl<E, X> Clone for Handler<E, X> {
    fn clone(&self) -> Self {
        Handler {
            id: self.id.clone(),
            priority: self.priority,
            func: self.func.clone(),
        }
    }
}

/// One extension point. Handlers run by ascending priority, then in binding order.
pub struct Hook<E, X> {
    handlers: RwLock<Arc<Vec<Handler<E, X>>>>,
    counter: AtomicU64,
}

impl<E, X> Default for Hook<E, X> {
    fn default() -> Self {
        Hook {
            handlers: RwLock::new(Arc::new(Vec::new())),
            counter: AtomicU64::new(0),
        }
    }
}

type Last<'a, E, X> = Option<Box<dyn FnOnce(&mut E) -> Result<(), X> + 'a>>;

/// The remainder of a chain; `run` continues it.
pub struct Next<'a, 'b, E, X> {
    rest: &'a [Handler<E, X>],
    last: &'a mut Last<'b, E, X>,
}

impl<E, X> Next<'_, '_, E, X> {
    /// Runs the next handler, or the default action when none is left.
    pub fn run(self, e: &mut E) -> Result<(), X> {
        match self.rest.split_first() {
            Some((h, rest)) => (h.func)(
                e,
                Next {
                    rest,
                    last: self.last,
                },
            ),
            None => match self.last.take() {
                Some(f) => f(e),
                None => Ok(()),
            },
        }
    }
}

impl<E, X> Hook<E, X> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Binds a handler with priority 0; returns its generated id.
    pub fn bind_func(
        &self,
        f: impl Fn(&mut E, Next<'_, '_, E, X>) -> Result<(), X> + Send + Sync + 'static,
    ) -> String {
        let id = format!("__h{}", self.counter.fetch_add(1, Ordering::Relaxed));
        self.bind(&id, 0, f);
        id
    }

    /// Binds (or replaces) the handler `id`.
    pub fn bind(
        &self,
        id: &str,
        priority: i32,
        f: impl Fn(&mut E, Next<'_, '_, E, X>) -> Result<(), X> + Send + Sync + 'static,
    ) {
        let mut guard = self.handlers.write().unwrap_or_else(|p| p.into_inner());
        let mut list: Vec<Handler<E, X>> = guard.iter().filter(|h| h.id != id).cloned().collect();
        list.push(Handler {
            id: id.to_string(),
            priority,
            func: Arc::new(f),
        });
        list.sort_by_key(|h| h.priority);
        *guard = Arc::new(list);
    }

    /// Removes the handler `id`.
    pub fn unbind(&self, id: &str) {
        let mut guard = self.handlers.write().unwrap_or_else(|p| p.into_inner());
        let list: Vec<Handler<E, X>> = guard.iter().filter(|h| h.id != id).cloned().collect();
        *guard = Arc::new(list);
    }

    pub fn len(&self) -> usize {
        self.handlers
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Runs the chain with `last` as the final (default) action.
    pub fn trigger(&self, e: &mut E, last: impl FnOnce(&mut E) -> Result<(), X>) -> Result<(), X> {
        let handlers = self
            .handlers
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let mut last: Last<'_, E, X> = Some(Box::new(last));
        Next {
            rest: &handlers,
            last: &mut last,
        }
        .run(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_priority_and_short_circuit() {
        let hook: Hook<Vec<String>, String> = Hook::new();
        hook.bind_func(|e, next| {
            e.push("a".into());
            next.run(e)
        });
        hook.bind("early", -1, |e, next| {
            e.push("early".into());
            next.run(e)
        });
        let mut ev = Vec::new();
        hook.trigger(&mut ev, |e| {
            e.push("default".into());
            Ok(())
        })
        .unwrap();
        assert_eq!(ev, ["early", "a", "default"]);

        hook.bind("stop", 5, |_, _| Err("stopped".to_string()));
        let mut ev = Vec::new();
        let res = hook.trigger(&mut ev, |e| {
            e.push("default".into());
            Ok(())
        });
        assert_eq!(res, Err("stopped".into()));
        assert_eq!(ev, ["early", "a"]);
        hook.unbind("stop");
        assert_eq!(hook.len(), 2);
    }
}
