//! Every axum line: the router, extractors, `ApiError`, middleware and the server loop.

mod auth_mail;
mod auth_routes;
mod batch;
mod collections;
mod cors;
pub mod error;
pub mod extract;
mod fields;
mod files;
mod health;
mod legacy_admins;
pub mod middleware;
mod oauth2;
mod rate_limit;
mod realtime;
mod records;
mod server;
mod settings;

use crate::app::App;
use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post, put, MethodRouter};
use axum::Router;
use error::ApiError;
use std::sync::Arc;
use tokio::net::TcpListener;

/// The global request body limit (32 MiB).
pub const BODY_LIMIT: usize = 32 << 20;

/// The batch body limit when `batch.maxBodySize` is 0 (about 128 MiB).
pub const BATCH_BODY_LIMIT: usize = 128 << 20;

/// Unknown routes: GET falls through to static files (nothing here yet), anything else is a plain 404.
async fn fallback(method: Method) -> Response {
    if method == Method::GET || method == Method::HEAD {
        ApiError::new(404, "File not found.").into_response()
    } else {
        ApiError::not_found().into_response()
    }
}

/// Known path, unsupported method: PocketBase answers as for an unknown route (404; GET falls through to
/// the static files).
async fn method_not_allowed(method: Method) -> Response {
    fallback(method).await
}

/// Record create/update bodies are limited per collection (see [`middleware::record_body_limit`]).
fn with_upload_limit(app: &App, route: MethodRouter<App>) -> MethodRouter<App> {
    route
        .layer(DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            middleware::record_body_limit,
        ))
}

/// The full API router with its middleware.
pub fn router(app: App) -> Router {
    router_with(app, None)
}

/// The router with `intercept` (JS routes) given each request inside the auth, logging and rate limit
/// steps (JS routes see the loaded auth and are logged like built-in routes).
pub fn router_with(app: App, intercept: Option<Arc<dyn middleware::Intercept>>) -> Router {
    let api = Router::new()
        .route("/api/health", get(health::health).head(health::health))
        .route(
            "/api/batch",
            post(batch::batch).layer(DefaultBodyLimit::max(BATCH_BODY_LIMIT)),
        )
        .route("/api/settings", get(settings::get).patch(settings::patch))
        .route(
            "/api/realtime",
            get(realtime::connect).post(realtime::subscribe),
        )
        .route(
            "/api/oauth2-redirect",
            get(realtime::oauth2_redirect_get).post(realtime::oauth2_redirect_post),
        )
        .route("/api/settings/test/s3", post(settings::test_s3))
        .route("/api/files/token", post(files::token))
        .route(
            "/api/files/{collection}/{record}/{filename}",
            get(files::download),
        )
        .route(
            "/api/collections",
            get(collections::list).post(collections::create),
        )
        .route("/api/collections/import", put(collections::import))
        .route(
            "/api/collections/meta/scaffolds",
            get(collections::scaffolds),
        )
        .route(
            "/api/collections/meta/dry-run-view",
            post(collections::dry_run_view),
        )
        .route(
            "/api/collections/{collection}",
            get(collections::view)
                .patch(collections::update)
                .delete(collections::delete),
        )
        .route(
            "/api/collections/{collection}/truncate",
            delete(collections::truncate),
        )
        .route(
            "/api/collections/{collection}/records",
            get(records::list).merge(with_upload_limit(&app, post(records::create))),
        )
        .route(
            "/api/collections/{collection}/records/{id}",
            get(records::view)
                .delete(records::delete)
                .merge(with_upload_limit(&app, patch(records::update))),
        )
        .route(
            "/api/collections/{collection}/auth-with-password",
            post(records::auth_with_password),
        )
        .route(
            "/api/collections/{collection}/auth-refresh",
            post(records::auth_refresh),
        )
        .route(
            "/api/collections/{collection}/request-verification",
            post(auth_mail::request_verification),
        )
        .route(
            "/api/collections/{collection}/confirm-verification",
            post(auth_mail::confirm_verification),
        )
        .route(
            "/api/collections/{collection}/request-password-reset",
            post(auth_mail::request_password_reset),
        )
        .route(
            "/api/collections/{collection}/confirm-password-reset",
            post(auth_mail::confirm_password_reset),
        )
        .route(
            "/api/collections/{collection}/request-email-change",
            post(auth_mail::request_email_change),
        )
        .route(
            "/api/collections/{collection}/confirm-email-change",
            post(auth_mail::confirm_email_change),
        )
        .route(
            "/api/collections/{collection}/request-otp",
            post(auth_mail::request_otp),
        )
        .route(
            "/api/collections/{collection}/auth-with-otp",
            post(auth_mail::auth_with_otp),
        )
        .route("/api/settings/test/email", post(auth_mail::test_email))
        .route(
            "/api/collections/{collection}/auth-anonymously",
            post(auth_routes::auth_anonymously),
        )
        .route(
            "/api/collections/{collection}/impersonate/{id}",
            post(auth_routes::impersonate),
        )
        .merge(legacy_admins::routes())
        .route(
            "/api/collections/{collection}/auth-methods",
            get(oauth2::auth_methods),
        )
        .route(
            "/api/collections/{collection}/auth-with-oauth2",
            post(oauth2::auth_with_oauth2),
        )
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(fallback);
    let cors = cors::CorsLayer::new(&app.config().cors_origins);
    // after routing: auth loading, the request log, rate limits, JS routes and security headers in one layer
    let api = api
        .layer(axum::middleware::from_fn_with_state(
            middleware::Front {
                app: app.clone(),
                intercept,
            },
            middleware::front,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT));
    // CORS around the whole router (a layer on the routes would see axum add `Allow` to preflights)
    Router::new().fallback_service(tower::Layer::layer(&cors, api.with_state(app)))
}

/// Serves the API on an already-bound listener until `shutdown` resolves (HTTP/1.1 with keep-alive and
/// HTTP/2 with prior knowledge; see `server`).
pub async fn serve(
    app: App,
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(app, listener, shutdown, None).await
}

/// [`serve`] with JS routes answered by `intercept` (see [`router_with`]).
pub async fn serve_with(
    app: App,
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    intercept: Option<Arc<dyn middleware::Intercept>>,
) -> std::io::Result<()> {
    app.start_log_writer();
    crate::services::realtime::bind_hooks(&app);
    crate::services::auth_cleanup::spawn_hourly(&app);
    let broker = app.realtime().clone();
    let shutdown = async move {
        shutdown.await;
        // open SSE streams would hold the graceful shutdown forever
        broker.close_all();
    };
    server::run(listener, router_with(app, intercept), shutdown).await;
    Ok(())
}
