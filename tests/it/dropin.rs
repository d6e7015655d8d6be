//! Drop-in data: PocketBase's own test `pb_data` opens unchanged and lists its collections.

use crate::support::{copy_dir, shared_dir, Server};

#[tokio::test]
async fn pocketbase_testdata_opens_and_signs_in() {
    let fixture = shared_dir().join("fixtures/pocketbase-testdata");
    assert!(
        fixture.join("data.db").exists(),
        "missing fixture {}",
        fixture.display()
    );
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("pb_data");
    copy_dir(&fixture, &data);
    let s = Server::start_on(&data).await;
    let t = s
        .login("_superusers", "test@example.com", "1234567890")
        .await;
    let res = s.get("/api/collections?perPage=200", Some(&t)).await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let items = res.body["items"].as_array().unwrap();
    assert_eq!(
        items.len(),
        res.body["totalItems"].as_u64().unwrap() as usize
    );
    assert!(items.len() >= 16);
    let types: Vec<&str> = items.iter().map(|c| c["type"].as_str().unwrap()).collect();
    for ty in ["base", "auth", "view"] {
        assert!(
            types.contains(&ty),
            "no {ty} collection in the fixture listing"
        );
    }
    // the bcrypt hashes PocketBase wrote still verify for regular users too
    let users = s
        .get("/api/collections/users/records?perPage=1", Some(&t))
        .await;
    assert_eq!(users.status, 200, "{:?}", users.body);
}
