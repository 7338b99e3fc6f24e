//! Migration 0014 (consent per API and scope) on approvals made before it: one naming a single
//! API keeps exactly what it approved, one naming several keeps its OpenID Connect scopes and
//! asks again for its APIs, and none is widened.
use super::*;
use crate::oauth::consent::ApiApproval;
use crate::oauth::resource::ResourceIds;
use crate::oauth::scope::Scopes;
use crate::store::on_pool;

const A: &str = "https://a.example";
const B: &str = "https://b.example";

/// A consent row as versions before 0014 wrote it.
async fn old_consent(store: &Store, client_id: &str, scope: &str, resources: &str) {
    on_pool!(store, |pool| {
        sqlx::query(
            "insert into consents (user_id, client_id, scope, resources, updated_at)
             values ('u1', $1, $2, $3, 0)",
        )
        .bind(client_id)
        .bind(scope)
        .bind(resources)
        .execute(pool)
        .await
        .map(|_| ())
    })
    .unwrap();
}

#[tokio::test]
async fn approvals_made_before_consent_per_api_are_never_widened_by_the_migration() {
    for backend in backends() {
        let store = match backend {
            Backend::Sqlite => sqlite_store().await,
            Backend::Postgres => postgres_store().await,
        };
        store.migrate_before(14).await.unwrap();
        on_pool!(store, |pool| {
            sqlx::query(
                "insert into users (id, email, password_hash, created_at) values ('u1', 'u@example.com', 'x', 0)",
            )
            .execute(pool)
            .await
            .map(|_| ())
        })
        .unwrap();
        old_consent(&store, "one-api", "openid read", A).await;
        old_consent(
            &store,
            "two-apis",
            "openid email read write",
            &format!("{A} {B}"),
        )
        .await;
        old_consent(&store, "no-api", "openid email", "").await;
        store.migrate().await.unwrap();

        let scope = |s: &str| Scopes::parse(s).unwrap();
        let found = |client: &'static str| {
            let store = store.clone();
            async move { store.find_consent("u1", client).await.unwrap().unwrap() }
        };
        let one = found("one-api").await;
        assert_eq!(one.scope, scope("openid read"));
        assert_eq!(
            one.apis,
            vec![ApiApproval {
                resource: A.into(),
                scope: scope("openid read"),
            }],
            "every API scope of a single-API row was approved for that API"
        );
        let two = found("two-apis").await;
        assert_eq!(
            two.scope,
            scope("openid email read write"),
            "kept for display"
        );
        assert!(
            two.apis.is_empty(),
            "which scope went with which API is unknown"
        );
        assert_eq!(two.resources(), ResourceIds::default());
        assert!(found("no-api").await.apis.is_empty());

        // Deleting a consent takes its APIs with it (the foreign key).
        store.delete_consent("u1", "one-api").await.unwrap();
        let left: (i64,) = on_pool!(store, |pool| {
            sqlx::query_as("select count(*) from consent_apis where client_id = 'one-api'")
                .fetch_one(pool)
                .await
        })
        .unwrap();
        assert_eq!(left.0, 0);
    }
}
