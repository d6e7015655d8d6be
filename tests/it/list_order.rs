//! The sorted list reads page ids first and rows second; its order, ties at page boundaries included,
//! must equal PocketBase's single `SELECT <all columns> … ORDER BY … LIMIT … OFFSET` statement.

use crate::support::Server;
use serde_json::{json, Value};

#[tokio::test]
async fn pages_match_pocketbase_statement_including_ties() {
    let s = Server::start().await;
    let t = s.admin_token().await;
    let body = json!({"name": "ties", "listRule": "", "fields": [
        {"name": "views", "type": "number"}, {"name": "title", "type": "text"}, {"name": "published", "type": "bool"}],
        "indexes": ["CREATE INDEX idx_ties_published ON ties (published)"]});
    assert_eq!(
        s.req("POST", "/api/collections", Some(&t), Some(body))
            .await
            .status,
        200
    );
    s.req(
        "PATCH",
        "/api/settings",
        Some(&t),
        Some(json!({"batch": {"enabled": true, "maxRequests": 100}})),
    )
    .await;
    // 90 records over few distinct values: many ties on every sort key
    for chunk in 0..3 {
        let requests: Vec<Value> = (0..30)
            .map(|i| {
                let n = chunk * 30 + i;
                json!({"method": "POST", "url": "/api/collections/ties/records",
                       "body": {"views": n % 4, "title": format!("t{}", n % 3), "published": n % 2 == 0}})
            })
            .collect();
        let res = s
            .req(
                "POST",
                "/api/batch",
                Some(&t),
                Some(json!({"requests": requests})),
            )
            .await;
        assert_eq!(res.status, 200, "{:?}", res.body);
    }
    let db = rusqlite::Connection::open(s.data_dir().join("data.db")).unwrap();
    for (sort, order_sql) in [
        ("-views", "`ties`.`views` DESC"),
        ("title,-views", "`ties`.`title` ASC, `ties`.`views` DESC"),
        ("-published", "`ties`.`published` DESC"),
        ("views", "`ties`.`views` ASC"),
    ] {
        for per_page in [7, 30] {
            let mut ours = Vec::new();
            for page in 1..=(90 / per_page + 1) {
                let res = s
                    .get(&format!("/api/collections/ties/records?sort={sort}&perPage={per_page}&page={page}&skipTotal=1"), None)
                    .await;
                for item in res.body["items"].as_array().unwrap() {
                    ours.push(item["id"].as_str().unwrap().to_string());
                }
            }
            let mut theirs = Vec::new();
            for page in 0..=(90 / per_page) {
                let sql = format!(
                    "SELECT `ties`.* FROM `ties` ORDER BY {order_sql} LIMIT {per_page} OFFSET {}",
                    page * per_page
                );
                let mut stmt = db.prepare(&sql).unwrap();
                let ids = stmt.query_map([], |r| r.get::<_, String>("id")).unwrap();
                theirs.extend(ids.map(Result::unwrap));
            }
            assert_eq!(ours.len(), 90);
            assert_eq!(ours, theirs, "sort={sort} perPage={per_page}");
        }
    }
}
