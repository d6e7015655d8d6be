//! Running one stage of a model's hook chain: the generic `onModel…` hook wraps the collection or record
//! hook of the same stage, and the model travels through both events.

use crate::app::events::{CollectionEvent, Model, ModelEvent, RecordEvent};
use crate::app::{App, AppError, Hooks};
use crate::hook::Hook;
use crate::model::record::Record;
use crate::store::Tx;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Create,
    Update,
    Delete,
}

/// A stage of a save or delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Validate,
    Main(Op),
    Execute(Op),
    AfterSuccess(Op),
    AfterError(Op),
}

type HookSet<'a> = (
    &'a Hook<ModelEvent, AppError>,
    &'a Hook<CollectionEvent, AppError>,
    &'a Hook<RecordEvent, AppError>,
);

fn hooks_of(h: &Hooks, stage: Stage) -> HookSet<'_> {
    use Op::*;
    use Stage::*;
    match stage {
        Validate => (
            &h.on_model_validate,
            &h.on_collection_validate,
            &h.on_record_validate,
        ),
        Main(Create) => (
            &h.on_model_create,
            &h.on_collection_create,
            &h.on_record_create,
        ),
        Main(Update) => (
            &h.on_model_update,
            &h.on_collection_update,
            &h.on_record_update,
        ),
        Main(Delete) => (
            &h.on_model_delete,
            &h.on_collection_delete,
            &h.on_record_delete,
        ),
        Execute(Create) => (
            &h.on_model_create_execute,
            &h.on_collection_create_execute,
            &h.on_record_create_execute,
        ),
        Execute(Update) => (
            &h.on_model_update_execute,
            &h.on_collection_update_execute,
            &h.on_record_update_execute,
        ),
        Execute(Delete) => (
            &h.on_model_delete_execute,
            &h.on_collection_delete_execute,
            &h.on_record_delete_execute,
        ),
        AfterSuccess(Create) => (
            &h.on_model_after_create_success,
            &h.on_collection_after_create_success,
            &h.on_record_after_create_success,
        ),
        AfterSuccess(Update) => (
            &h.on_model_after_update_success,
            &h.on_collection_after_update_success,
            &h.on_record_after_update_success,
        ),
        AfterSuccess(Delete) => (
            &h.on_model_after_delete_success,
            &h.on_collection_after_delete_success,
            &h.on_record_after_delete_success,
        ),
        AfterError(Create) => (
            &h.on_model_after_create_error,
            &h.on_collection_after_create_error,
            &h.on_record_after_create_error,
        ),
        AfterError(Update) => (
            &h.on_model_after_update_error,
            &h.on_collection_after_update_error,
            &h.on_record_after_update_error,
        ),
        AfterError(Delete) => (
            &h.on_model_after_delete_error,
            &h.on_collection_after_delete_error,
            &h.on_record_after_delete_error,
        ),
    }
}

/// Runs `stage` for the model in `mev`; `last` is the default action and sees the model as changed by
/// the handlers before it.
pub fn trigger(
    app: &App,
    stage: Stage,
    mev: &mut ModelEvent,
    last: impl FnOnce(&mut ModelEvent) -> Result<(), AppError>,
) -> Result<(), AppError> {
    let (model_hook, collection_hook, record_hook) = hooks_of(app.hooks(), stage);
    let specific_empty = match &mev.model {
        Model::Collection(_) => collection_hook.is_empty(),
        Model::Record(..) => record_hook.is_empty(),
    };
    if model_hook.is_empty() && specific_empty {
        // nothing bound: run the default action directly, without building the events
        return last(mev);
    }
    model_hook.trigger(mev, |mev| {
        let inner_empty = match &mev.model {
            Model::Collection(_) => collection_hook.is_empty(),
            Model::Record(..) => record_hook.is_empty(),
        };
        if inner_empty {
            // only `onModel…` handlers (e.g. the realtime ones): no inner event to build
            return last(mev);
        }
        let error = mev.error.clone();
        match &mut mev.model {
            Model::Collection(c) => {
                let mut ev = CollectionEvent {
                    app: mev.app.clone(),
                    collection: (**c).clone(),
                    error,
                };
                let res = collection_hook.trigger(&mut ev, |ev| {
                    let mut inner = ModelEvent {
                        app: ev.app.clone(),
                        model: Model::Collection(Box::new(ev.collection.clone())),
                        error: ev.error.clone(),
                    };
                    let res = last(&mut inner);
                    if let Model::Collection(c) = inner.model {
                        ev.collection = *c;
                    }
                    res
                });
                mev.model = Model::Collection(Box::new(ev.collection));
                res
            }
            Model::Record(c, r) => {
                // the record moves into the event and back (every path below puts it back)
                let mut ev = RecordEvent {
                    app: mev.app.clone(),
                    collection: c.clone(),
                    record: take_record(r),
                    error,
                };
                let res = record_hook.trigger(&mut ev, |ev| {
                    let mut inner = ModelEvent {
                        app: ev.app.clone(),
                        model: Model::Record(ev.collection.clone(), take_record(&mut ev.record)),
                        error: ev.error.clone(),
                    };
                    let res = last(&mut inner);
                    if let Model::Record(_, r) = inner.model {
                        ev.record = r;
                    }
                    res
                });
                mev.model = Model::Record(ev.collection, ev.record);
                res
            }
        }
    })
}

/// Runs a save or delete: `Main` wraps the default action, whose `body` is given the event to work on;
/// `AfterSuccess` runs once the transaction commits, `AfterError` right away.
pub fn run(
    app: &App,
    tx: &Tx,
    op: Op,
    model: Model,
    body: impl FnOnce(&mut ModelEvent) -> Result<(), AppError>,
) -> Result<Model, AppError> {
    let mut mev = ModelEvent {
        app: app.clone(),
        model,
        error: None,
    };
    let result = trigger(app, Stage::Main(op), &mut mev, body);
    match result {
        Ok(()) if !has_handlers(app, Stage::AfterSuccess(op), &mev.model) => Ok(mev.model),
        Ok(()) => {
            let app2 = app.clone();
            let mut done = ModelEvent {
                app: app.clone(),
                model: clone_model(&mev.model),
                error: None,
            };
            tx.after_commit(move || {
                if let Err(e) = trigger(&app2, Stage::AfterSuccess(op), &mut done, |_| Ok(())) {
                    tracing::warn!("an after-success hook failed: {e}");
                }
            });
            Ok(mev.model)
        }
        Err(err) => {
            let mut failed = ModelEvent {
                app: app.clone(),
                model: clone_model(&mev.model),
                error: Some(err.clone()),
            };
            let _ = trigger(app, Stage::AfterError(op), &mut failed, |_| Ok(()));
            Err(err)
        }
    }
}

/// True when any handler is bound to `stage` for this kind of model.
fn has_handlers(app: &App, stage: Stage, model: &Model) -> bool {
    let (model_hook, collection_hook, record_hook) = hooks_of(app.hooks(), stage);
    !model_hook.is_empty()
        || match model {
            Model::Collection(_) => !collection_hook.is_empty(),
            Model::Record(..) => !record_hook.is_empty(),
        }
}

/// Moves the record out, leaving an empty one (no allocation) in its place.
fn take_record(r: &mut Record) -> Record {
    std::mem::replace(r, Record::new("", ""))
}

fn clone_model(m: &Model) -> Model {
    match m {
        Model::Collection(c) => Model::Collection(c.clone()),
        Model::Record(c, r) => Model::Record(c.clone(), r.clone()),
    }
}
