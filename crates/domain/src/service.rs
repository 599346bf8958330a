//! The customer service desk's rules: tickets, the queues they sit in, and
//! the states they move through. Each queue belongs to the team that works it,
//! so a billing dispute escalated to accounting is seen by accountants while
//! the customer keeps talking to the same ticket.

use crate::FieldErrors;
use crate::access::Permission;

/// The longest subject.
pub const SUBJECT_MAX: usize = 200;
/// The longest message.
pub const BODY_MAX: usize = 20_000;
/// The prefix of ticket numbers: `TK-2026-000001`.
pub const NUMBER_PREFIX: &str = "TK";

/// What opens the service desk: the permission of any queue.
pub const DESK: &[Permission] = &[
    Permission::ServiceUse,
    Permission::AccountingUse,
    Permission::InventoryUse,
    Permission::ItUse,
];

/// What opens the tickets API: a seat at the desk, or a customer's portal.
pub const DESK_OR_PORTAL: &[Permission] = &[
    Permission::ServiceUse,
    Permission::AccountingUse,
    Permission::InventoryUse,
    Permission::ItUse,
    Permission::PortalUse,
];

/// Who opens tickets: the service desk, and customers in the portal.
pub const OPENERS: &[Permission] = &[Permission::ServiceUse, Permission::PortalUse];

/// The team a ticket waits with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Queue {
    /// The service desk: where every ticket starts.
    Service,
    /// Billing disputes, refunds, credit notes.
    Accounting,
    /// Delivery problems, replacements, returns.
    Warehouse,
    /// Access problems: logins, the portal.
    It,
}

impl Queue {
    pub const ALL: [Queue; 4] = [
        Queue::Service,
        Queue::Accounting,
        Queue::Warehouse,
        Queue::It,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Queue::Service => "service",
            Queue::Accounting => "accounting",
            Queue::Warehouse => "warehouse",
            Queue::It => "it",
        }
    }

    pub fn parse(name: &str) -> Option<Queue> {
        Queue::ALL.into_iter().find(|q| q.name() == name.trim())
    }

    /// Who works this queue: a member of staff sees and answers the tickets
    /// of the queues whose permission they hold.
    pub fn permission(self) -> Permission {
        match self {
            Queue::Service => Permission::ServiceUse,
            Queue::Accounting => Permission::AccountingUse,
            Queue::Warehouse => Permission::InventoryUse,
            Queue::It => Permission::ItUse,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

impl Priority {
    pub const ALL: [Priority; 4] = [
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Urgent,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }

    pub fn parse(name: &str) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.name() == name.trim())
    }
}

/// How a ticket reached the business.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// Self-service: a customer in the portal, or an employee asking IT
    /// from "IT help" (the internal helpdesk's tickets are all `portal`).
    Portal,
    Email,
    Phone,
    FrontDesk,
}

impl Channel {
    pub const ALL: [Channel; 4] = [
        Channel::Portal,
        Channel::Email,
        Channel::Phone,
        Channel::FrontDesk,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Channel::Portal => "portal",
            Channel::Email => "email",
            Channel::Phone => "phone",
            Channel::FrontDesk => "front-desk",
        }
    }

    pub fn parse(name: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.name() == name.trim())
    }
}

/// Where a ticket is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketState {
    /// Waiting for the business.
    Open,
    /// Waiting for the customer.
    Pending,
    /// The business considers it solved; the customer may still reply, which reopens it.
    Resolved,
    /// Done for good.
    Closed,
}

/// An action a ticket's state does not allow; shows `error-ticket-state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IllegalTicketTransition {
    pub from: TicketState,
    pub action: &'static str,
}

impl IllegalTicketTransition {
    pub const CODE: &'static str = "error-ticket-state";
}

impl TicketState {
    pub const ALL: [TicketState; 4] = [
        TicketState::Open,
        TicketState::Pending,
        TicketState::Resolved,
        TicketState::Closed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            TicketState::Open => "open",
            TicketState::Pending => "pending",
            TicketState::Resolved => "resolved",
            TicketState::Closed => "closed",
        }
    }

    pub fn parse(name: &str) -> Option<TicketState> {
        TicketState::ALL
            .into_iter()
            .find(|s| s.name() == name.trim())
    }

    fn refuse(self, action: &'static str) -> IllegalTicketTransition {
        IllegalTicketTransition { from: self, action }
    }

    /// The state after a message. A public reply by staff waits on the
    /// customer; a customer's message (or a resolved ticket's) reopens it;
    /// an internal note changes nothing. A closed ticket takes no messages.
    pub fn after_message(
        self,
        by_customer: bool,
        public: bool,
    ) -> Result<TicketState, IllegalTicketTransition> {
        match (self, by_customer, public) {
            (TicketState::Closed, _, _) => Err(self.refuse("reply to")),
            (_, true, _) => Ok(TicketState::Open),
            (state, false, false) => Ok(state),
            (_, false, true) => Ok(TicketState::Pending),
        }
    }

    /// Escalating moves the ticket to another team's queue; it stays open.
    pub fn escalate(self) -> Result<TicketState, IllegalTicketTransition> {
        match self {
            TicketState::Closed => Err(self.refuse("escalate")),
            _ => Ok(TicketState::Open),
        }
    }

    pub fn resolve(self) -> Result<TicketState, IllegalTicketTransition> {
        match self {
            TicketState::Open | TicketState::Pending => Ok(TicketState::Resolved),
            _ => Err(self.refuse("resolve")),
        }
    }

    pub fn close(self) -> Result<TicketState, IllegalTicketTransition> {
        match self {
            TicketState::Closed => Err(self.refuse("close")),
            _ => Ok(TicketState::Closed),
        }
    }

    /// Whether the ticket still needs the business.
    pub fn is_active(self) -> bool {
        matches!(self, TicketState::Open | TicketState::Pending)
    }
}

/// A ticket as typed in.
#[derive(Debug, Clone, Default)]
pub struct TicketDraft {
    pub subject: String,
    pub body: String,
    pub priority: String,
    pub channel: String,
}

/// A ticket that passed the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidTicket {
    pub subject: String,
    pub body: String,
    pub priority: Priority,
    pub channel: Channel,
}

/// A message's text, trimmed; errors name `body`.
pub fn validate_body(body: &str) -> Result<String, FieldErrors> {
    let body = body.trim();
    if body.is_empty() {
        Err(FieldErrors::one("body", "error-required"))
    } else if body.chars().count() > BODY_MAX {
        Err(FieldErrors::one("body", "error-too-long"))
    } else {
        Ok(body.to_owned())
    }
}

/// Checks a new ticket. An empty priority is `normal`; an empty channel is
/// `default_channel`. Errors name `subject`, `body`, `priority` or `channel`.
pub fn validate_ticket(
    draft: &TicketDraft,
    default_channel: Channel,
) -> Result<ValidTicket, FieldErrors> {
    let mut errors = FieldErrors::new();
    let subject = draft.subject.trim();
    if subject.is_empty() {
        errors.add("subject", "error-required");
    } else if subject.chars().count() > SUBJECT_MAX {
        errors.add("subject", "error-too-long");
    }
    let body = match validate_body(&draft.body) {
        Ok(body) => body,
        Err(e) => {
            errors.extend(e);
            String::new()
        }
    };
    let priority = if draft.priority.trim().is_empty() {
        Some(Priority::Normal)
    } else {
        Priority::parse(&draft.priority)
    };
    if priority.is_none() {
        errors.add("priority", "error-ticket-priority");
    }
    let channel = if draft.channel.trim().is_empty() {
        Some(default_channel)
    } else {
        Channel::parse(&draft.channel)
    };
    if channel.is_none() {
        errors.add("channel", "error-ticket-channel");
    }
    match (priority, channel) {
        (Some(priority), Some(channel)) if errors.is_empty() => Ok(ValidTicket {
            subject: subject.to_owned(),
            body,
            priority,
            channel,
        }),
        _ => Err(errors),
    }
}

/// The number series of a year: `TK-2026`.
pub fn series(year: i16) -> String {
    format!("{NUMBER_PREFIX}-{year:04}")
}

/// A ticket's number: `TK-2026-000001`.
pub fn ticket_number(year: i16, seq: i64) -> String {
    format!("{}-{seq:06}", series(year))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_staff_reply_waits_on_the_customer_and_the_customer_reopens_it() {
        let open = TicketState::Open;
        assert_eq!(open.after_message(false, true), Ok(TicketState::Pending));
        assert_eq!(open.after_message(false, false), Ok(TicketState::Open));
        assert_eq!(
            TicketState::Pending.after_message(true, true),
            Ok(TicketState::Open)
        );
        assert_eq!(
            TicketState::Resolved.after_message(true, true),
            Ok(TicketState::Open)
        );
        assert!(TicketState::Closed.after_message(true, true).is_err());
    }

    #[test]
    fn only_active_tickets_resolve_and_a_closed_one_stays_closed() {
        assert_eq!(TicketState::Pending.resolve(), Ok(TicketState::Resolved));
        assert!(TicketState::Resolved.resolve().is_err());
        assert!(TicketState::Closed.close().is_err());
        assert!(TicketState::Closed.escalate().is_err());
        assert_eq!(TicketState::Resolved.close(), Ok(TicketState::Closed));
    }

    #[test]
    fn a_ticket_needs_a_subject_and_a_message_and_known_names() {
        let bad = TicketDraft {
            subject: " ".into(),
            body: "".into(),
            priority: "asap".into(),
            channel: "pigeon".into(),
        };
        let errors = validate_ticket(&bad, Channel::Portal).unwrap_err();
        for field in ["subject", "body", "priority", "channel"] {
            assert!(errors.for_field(field).is_some(), "{field}");
        }
        let good = TicketDraft {
            subject: " Wrong amount ".into(),
            body: "Invoice shows 12 units, we got 10.".into(),
            ..TicketDraft::default()
        };
        let valid = validate_ticket(&good, Channel::Portal).unwrap();
        assert_eq!(valid.subject, "Wrong amount");
        assert_eq!(valid.priority, Priority::Normal);
        assert_eq!(valid.channel, Channel::Portal);
    }

    #[test]
    fn each_queue_belongs_to_the_team_that_works_it() {
        assert_eq!(Queue::Accounting.permission(), Permission::AccountingUse);
        assert_eq!(Queue::parse("warehouse"), Some(Queue::Warehouse));
        assert_eq!(ticket_number(2026, 42), "TK-2026-000042");
    }
}
