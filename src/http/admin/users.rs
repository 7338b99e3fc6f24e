//! `/users`: list (search, cursor pages in creation order), read, create (a password or an
//! invitation), change, delete; and the writes that change how a user signs in: disable,
//! enable, second factors reset, emails sent, refresh tokens revoked.
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
use zeroize::Zeroizing;

use super::extract::{Body, PathParams, QueryParams};
use super::problem::{Kind, Problem};
use crate::routes::ADMIN_API_V1;
use crate::service::admin::users::{self as admin_users, FirstCredential, NewUser, UserChanges};
use crate::service::admin::{UserKey, UserView, access, mail};
use crate::state::AppState;

/// A user (never a password or its hash).
#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    /// Tessera's id for the user: the `sub` of their tokens.
    pub id: String,
    pub email: String,
    pub name: Option<String>,
    pub email_verified: bool,
    pub disabled: bool,
    /// Unix seconds.
    pub created_at: i64,
    /// False for an invited user who has not chosen one yet, or one made by an upstream.
    pub has_password: bool,
}

impl From<UserView> for User {
    fn from(user: UserView) -> Self {
        Self {
            id: user.id,
            email: user.email,
            name: user.name,
            email_verified: user.email_verified,
            disabled: user.disabled,
            created_at: user.created_at,
            has_password: user.has_password,
        }
    }
}

/// A user and what they sign in with.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserDetail {
    pub user: User,
    pub totp_enabled: bool,
    pub passkeys: usize,
    pub linked_identities: usize,
}

/// One page of users, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    pub users: Vec<User>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

/// The longest search: an email address's length.
const SEARCH_MAX_CHARS: usize = 254;

/// A query parameter given empty (`?cursor=`) counts as not given.
pub fn given(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListUsers {
    /// A part of the email or the name, any case (`%` and `_` are plain characters).
    #[param(max_length = 254)]
    pub q: Option<String>,
    /// Users per page: 1 to 200 (50 when absent).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
}

/// The user `{id}` names.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct UserId {
    /// The user's id.
    pub id: String,
}

impl UserId {
    pub fn key(&self) -> UserKey<'_> {
        UserKey::Id(&self.id)
    }
}

/// Find users, a page at a time.
#[utoipa::path(get, path = "/users", tag = "users", params(ListUsers),
    responses((status = 200, description = "A page of users", body = UserPage)))]
pub async fn list_users(
    State(state): State<AppState>,
    QueryParams(query): QueryParams<ListUsers>,
) -> Result<Json<UserPage>, Problem> {
    if query
        .limit
        .is_some_and(|n| n == 0 || n > admin_users::MAX_PAGE)
    {
        return Err(Problem::new(Kind::InvalidParameter, "limit must be 1 to 200").field("limit"));
    }
    let search = given(query.q);
    if search
        .as_ref()
        .is_some_and(|q| q.chars().count() > SEARCH_MAX_CHARS)
    {
        let why = format!("q must have at most {SEARCH_MAX_CHARS} characters");
        return Err(Problem::new(Kind::InvalidParameter, why).field("q"));
    }
    let query = admin_users::UserQuery {
        search,
        cursor: given(query.cursor),
        limit: query.limit.unwrap_or(0),
    };
    let page = admin_users::list(&state, &query).await?;
    Ok(Json(UserPage {
        users: page.users.into_iter().map(User::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// A user to create: with a `password`, or `invite: true` (a link to choose one is mailed).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub email: String,
    #[serde(default)]
    pub name: Option<String>,
    /// Only with a password (an invitation's link confirms the address).
    #[serde(default)]
    pub email_verified: bool,
    /// Follows the password rules (`password_min_length`, not common, not like the account).
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub invite: bool,
}

/// Create a user, with a password or an invitation.
#[utoipa::path(post, path = "/users", tag = "users", request_body = CreateUser,
    responses(
        (status = 201, description = "Created; Location names it", body = User,
            headers(("Location" = String, description = "The new user's address"))),
        (status = 409, description = "The email is taken (`email-taken`)"),
        (status = 422, description = "`invalid-email`, `password-policy`, `invalid-value`")))]
pub async fn create_user(
    State(state): State<AppState>,
    Body(body): Body<CreateUser>,
) -> Result<Response, Problem> {
    let credential = match (body.password, body.invite) {
        (Some(password), false) => FirstCredential::Password(Zeroizing::new(password)),
        (None, true) => FirstCredential::Invitation,
        _ => {
            return Err(Problem::new(
                Kind::InvalidValue,
                "give either a password or \"invite\": true",
            )
            .field("password"));
        }
    };
    let new = NewUser {
        email: body.email,
        name: body.name,
        email_verified: body.email_verified,
        credential,
    };
    let user = admin_users::create(&state, new, state.now()).await?;
    let location = format!("{ADMIN_API_V1}/users/{}", user.id);
    let mut response = (StatusCode::CREATED, Json(User::from(user))).into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

/// Read a user.
#[utoipa::path(get, path = "/users/{id}", tag = "users", params(UserId),
    responses((status = 200, description = "The user", body = UserDetail)))]
pub async fn get_user(
    State(state): State<AppState>,
    PathParams(id): PathParams<UserId>,
) -> Result<Json<UserDetail>, Problem> {
    let detail = admin_users::detail(&state, id.key()).await?;
    Ok(Json(UserDetail {
        user: detail.user.into(),
        totp_enabled: detail.totp_enabled,
        passkeys: detail.passkeys,
        linked_identities: detail.linked_identities,
    }))
}

/// `null` as a value to set (`Some(None)`), apart from a field left out (`None`).
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}

/// The fields to change; those left out stay as they are.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeUser {
    /// `null` removes the name.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    /// A new address is unconfirmed unless `email_verified` says otherwise; every link
    /// mailed to the old one stops working.
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub email_verified: Option<bool>,
}

/// Change a user's name, email or email_verified.
#[utoipa::path(patch, path = "/users/{id}", tag = "users", params(UserId),
    request_body = ChangeUser,
    responses((status = 200, description = "The user as changed", body = User),
        (status = 409, description = "The email is taken (`email-taken`)")))]
pub async fn change_user(
    State(state): State<AppState>,
    PathParams(id): PathParams<UserId>,
    Body(body): Body<ChangeUser>,
) -> Result<Json<User>, Problem> {
    let changes = UserChanges {
        name: body.name,
        email: body.email,
        email_verified: body.email_verified,
    };
    let user = admin_users::update(&state, id.key(), changes).await?;
    Ok(Json(user.into()))
}

/// Delete a user.
#[utoipa::path(delete, path = "/users/{id}", tag = "users", params(UserId),
    responses((status = 204, description = "Deleted: sessions ended (apps told), tokens revoked")))]
pub async fn delete_user(
    State(state): State<AppState>,
    PathParams(id): PathParams<UserId>,
) -> Result<StatusCode, Problem> {
    admin_users::delete(&state, id.key(), state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Disable a user.
#[utoipa::path(post, path = "/users/{id}/disable", tag = "users", params(UserId),
    responses((status = 200, description = "Disabled (also when it was): sessions ended, apps \
        told by back-channel logout, every token revoked", body = User)))]
pub async fn disable_user(
    State(state): State<AppState>,
    PathParams(id): PathParams<UserId>,
) -> Result<Json<User>, Problem> {
    let user = access::set_disabled(&state, id.key(), true, state.now()).await?;
    Ok(Json(user.into()))
}

/// Enable a user.
#[utoipa::path(post, path = "/users/{id}/enable", tag = "users", params(UserId),
    responses((status = 200, description = "Enabled (also when it was); no old token comes back",
        body = User)))]
pub async fn enable_user(
    State(state): State<AppState>,
    PathParams(id): PathParams<UserId>,
) -> Result<Json<User>, Problem> {
    let user = access::set_disabled(&state, id.key(), false, state.now()).await?;
    Ok(Json(user.into()))
}

/// What a reset removed.
#[derive(Debug, Serialize, ToSchema)]
pub struct FactorsRemoved {
    pub totp_removed: bool,
    pub passkeys_removed: u64,
}

/// Reset a user's second factors.
#[utoipa::path(post, path = "/users/{id}/second-factors/reset", tag = "users", params(UserId),
    responses((status = 200, description = "TOTP off and every passkey removed", body = FactorsRemoved)))]
pub async fn reset_second_factors(
    State(state): State<AppState>,
    PathParams(id): PathParams<UserId>,
) -> Result<Json<FactorsRemoved>, Problem> {
    let removed = access::reset_second_factors(&state, id.key()).await?;
    Ok(Json(FactorsRemoved {
        totp_removed: removed.totp,
        passkeys_removed: removed.passkeys,
    }))
}

/// Mail a user a password reset link.
#[utoipa::path(post, path = "/users/{id}/password-reset-email", tag = "users", params(UserId),
    responses((status = 202, description = "A reset link is queued (none when the mailbox had \
        its links this hour)"),
        (status = 409, description = "The user is disabled (`user-disabled`)")))]
pub async fn send_password_reset(
    State(state): State<AppState>,
    PathParams(id): PathParams<UserId>,
) -> Result<StatusCode, Problem> {
    mail::send_password_reset(&state, id.key(), state.now()).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Mail a user a link that confirms their address.
#[utoipa::path(post, path = "/users/{id}/verification-email", tag = "users", params(UserId),
    responses((status = 202, description = "A verification link is queued"),
        (status = 409, description = "Verified already (`already-verified`)"),
        (status = 429, description = "The mailbox had its links this hour (`too-many-emails`)")))]
pub async fn send_verification(
    State(state): State<AppState>,
    PathParams(id): PathParams<UserId>,
) -> Result<StatusCode, Problem> {
    mail::send_verification(&state, id.key(), state.now()).await?;
    Ok(StatusCode::ACCEPTED)
}

/// How many refresh-token families were revoked.
#[derive(Debug, Serialize, ToSchema)]
pub struct Revoked {
    pub revoked_families: u64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RevokeFilter {
    /// Only this client's tokens.
    pub client_id: Option<String>,
}

/// Revoke a user's refresh tokens.
#[utoipa::path(delete, path = "/users/{id}/refresh-tokens", tag = "users",
    params(UserId, RevokeFilter),
    responses((status = 200, description = "Revoked, with the access tokens issued from them; \
        sessions stay", body = Revoked)))]
pub async fn revoke_refresh_tokens(
    State(state): State<AppState>,
    PathParams(id): PathParams<UserId>,
    QueryParams(filter): QueryParams<RevokeFilter>,
) -> Result<Json<Revoked>, Problem> {
    let client = given(filter.client_id);
    let client = client.as_deref();
    let revoked = access::revoke_user_refresh_tokens(&state, id.key(), client, state.now()).await?;
    Ok(Json(Revoked {
        revoked_families: revoked,
    }))
}
