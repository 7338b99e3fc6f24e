//! The writer of the audit trail. [`AuditLog::record`] logs the event as one structured line
//! (`event=…`, for a SIEM reading the log stream) and queues it; one task per process appends
//! what is queued in batches, one statement each. A request never waits for the database and
//! never fails because of the trail: when the queue is full or a write fails, the event is
//! still in the log, the loss is logged and counted (`tessera_audit_events_lost_total`).
use std::sync::{Arc, OnceLock};

use tokio::sync::{mpsc, oneshot};

use super::event::AuditEvent;
use super::origin::{self, Actor};
use crate::clock::Clock;
use crate::observe;
use crate::store::Store;
use crate::store::audit_events::NewAuditRow;

/// Events waiting for the writer, at most: past it they are lost (and counted), never waited
/// for.
const QUEUE: usize = 10_000;
/// The most events one statement appends.
const BATCH: usize = 256;

enum Message {
    Event(NewAuditRow),
    /// Answered once everything queued before it is written (or given up).
    Flush(oneshot::Sender<()>),
}

/// The audit trail of one process; cloning is cheap.
#[derive(Clone)]
pub struct AuditLog(Arc<Inner>);

struct Inner {
    store: Store,
    clock: Arc<dyn Clock>,
    /// Started on the first event, on the runtime that records it.
    queue: OnceLock<mpsc::Sender<Message>>,
}

impl AuditLog {
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> Self {
        Self(Arc::new(Inner {
            store,
            clock,
            queue: OnceLock::new(),
        }))
    }

    /// Logs `event` and queues it for the table, with the current task's origin.
    pub fn record(&self, event: AuditEvent) {
        let row = self.row_of(event);
        tracing::info!(
            target: "tessera::audit",
            event = row.event_type,
            outcome = row.outcome,
            user_id = row.user_id.as_deref(),
            client_id = row.client_id.as_deref(),
            actor = row.actor,
            actor_id = row.actor_id.as_deref(),
            address = row.address.as_deref(),
            detail = %row.detail,
            "audit event"
        );
        match self.queue() {
            Some(queue) => {
                if let Err(error) = queue.try_send(Message::Event(row)) {
                    lost(1, &error.to_string());
                }
            }
            None => lost(1, "no async runtime to write it"),
        }
    }

    /// Waits until every event recorded before the call is written (or given up): before a
    /// command exits, before the server stops, and in tests before the table is read.
    pub async fn flush(&self) {
        let Some(queue) = self.queue() else { return };
        let (done, written) = oneshot::channel();
        if queue.send(Message::Flush(done)).await.is_ok() {
            let _ = written.await;
        }
    }

    fn row_of(&self, event: AuditEvent) -> NewAuditRow {
        let origin = origin::current();
        let (actor, actor_id) = match origin.as_ref().map(|o| &o.actor) {
            None | Some(Actor::System) => (Actor::System.kind(), None),
            Some(Actor::User) => (Actor::User.kind(), event.user_id.clone()),
            Some(admin @ Actor::AdminClient(client_id)) => (admin.kind(), Some(client_id.clone())),
            Some(Actor::Cli) => (Actor::Cli.kind(), None),
        };
        let (address, user_agent) = origin
            .map(|o| (o.address.map(|a| a.to_string()), o.user_agent))
            .unwrap_or_default();
        NewAuditRow {
            at: self.0.clock.now(),
            event_type: event.event_type.as_str(),
            outcome: event.outcome.as_str(),
            user_id: event.user_id,
            client_id: event.client_id,
            actor,
            actor_id,
            address,
            user_agent,
            detail: serde_json::Value::Object(event.detail).to_string(),
        }
    }

    /// The writer's queue, started on first use; `None` outside a runtime (nothing could
    /// write).
    fn queue(&self) -> Option<&mpsc::Sender<Message>> {
        if let Some(queue) = self.0.queue.get() {
            return Some(queue);
        }
        let runtime = tokio::runtime::Handle::try_current().ok()?;
        Some(self.0.queue.get_or_init(|| {
            let (sender, receiver) = mpsc::channel(QUEUE);
            runtime.spawn(write(self.0.store.clone(), receiver));
            sender
        }))
    }
}

/// Appends what arrives, as many events a statement as are waiting (up to [`BATCH`]); ends
/// when the log is dropped.
async fn write(store: Store, mut receiver: mpsc::Receiver<Message>) {
    while let Some(first) = receiver.recv().await {
        let mut rows = Vec::new();
        let mut flushes = Vec::new();
        let mut next = Some(first);
        while let Some(message) = next {
            match message {
                Message::Event(row) => rows.push(row),
                Message::Flush(done) => flushes.push(done),
            }
            next = if rows.len() < BATCH {
                receiver.try_recv().ok()
            } else {
                None
            };
        }
        if let Err(error) = store.insert_audit_events(&rows).await {
            lost(rows.len() as u64, &error.to_string());
        }
        for done in flushes {
            let _ = done.send(());
        }
    }
}

fn lost(count: u64, why: &str) {
    tracing::warn!(
        count,
        error = why,
        "audit events not written to the table (they are in the log)"
    );
    metrics::counter!(observe::AUDIT_EVENTS_LOST).increment(count);
}
