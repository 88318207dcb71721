//! What the CPAM returned, as the API shows it beside the records typed in by hand: its copy
//! of an aid contract, how it disagrees with the record and whose facts the rules read, its
//! copy of a structure's ACI contract, and what a refresh did with each contract.

use async_graphql::{Enum, Object, SimpleObject};
use chrono::{DateTime, Utc};
use persistence::{CopyOutcome, CpamAciCopy, CpamContractCopy, StoredCopy};
use planning::cases;

use crate::enums::{AidOption, ContractKind, ContractStatus};
use crate::scalars::{Date, Money};
use crate::types::AidContractObject;

/// Whose facts the rules read for a contract.
#[derive(Debug, Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "planning::cases::FactsUsed")]
pub enum FactsUsed {
    /// The record as typed in: the CPAM has no copy of it.
    Recorded,
    /// The CPAM's copy, the payer's own record.
    Cpam,
}

/// A fact of a contract the record and the CPAM's copy can disagree on.
#[derive(Debug, Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "planning::cases::ContractFact")]
pub enum ContractFact {
    Kind,
    Status,
    SignedOn,
    EndsOn,
    Option,
    FundedEtp,
}

/// A fact on which the record and the CPAM's copy disagree, each as written (null: not stated).
#[derive(Debug, Clone, SimpleObject)]
pub struct ContractDiscrepancy {
    pub field: ContractFact,
    pub recorded: Option<String>,
    pub cpam: Option<String>,
}

impl From<cases::Discrepancy> for ContractDiscrepancy {
    fn from(d: cases::Discrepancy) -> Self {
        Self { field: d.fact.into(), recorded: d.recorded, cpam: d.cpam }
    }
}

/// The CPAM's own copy of an aid contract, as last fetched.
#[derive(Debug, Clone)]
pub struct CpamContractObject(pub CpamContractCopy);

/// The CPAM's own copy of an aid contract, as last fetched: kept beside the record, which
/// stays as typed.
#[Object(name = "CpamContract")]
impl CpamContractObject {
    async fn reference(&self) -> &str {
        &self.0.facts.reference
    }
    async fn kind(&self) -> ContractKind {
        self.0.facts.kind.into()
    }
    async fn status(&self) -> ContractStatus {
        self.0.facts.status.into()
    }
    async fn signed_on(&self) -> Date {
        Date(self.0.facts.signed_on)
    }
    async fn ends_on(&self) -> Option<Date> {
        self.0.facts.ends_on.map(Date)
    }
    async fn option(&self) -> Option<AidOption> {
        self.0.facts.option.map(Into::into)
    }
    async fn funded_etp(&self) -> Option<String> {
        self.0.facts.funded_etp.map(|e| e.to_string())
    }
    /// Adherents the CPAM lists (who they are is shown through the record's members).
    async fn member_count(&self) -> usize {
        self.0.facts.members.len()
    }
    /// When the CPAM gave this copy.
    async fn fetched_at(&self) -> DateTime<Utc> {
        self.0.fetched_at
    }
}

/// The CPAM's copy of a structure's ACI contract, as last fetched (read-only).
#[derive(Debug, Clone)]
pub struct CpamAciContractObject(pub CpamAciCopy);

/// Points of one year of an ACI contract and the euros paid for them.
#[derive(Debug, Clone, SimpleObject)]
pub struct CpamAciYear {
    pub year: i32,
    pub points: u32,
    /// Null until paid.
    pub paid: Option<Money>,
}

/// The CPAM's copy of a structure's ACI contract, as last fetched (read-only).
#[Object(name = "CpamAciContract")]
impl CpamAciContractObject {
    /// The CPAM's reference, which a hand-typed ACI contract is matched by.
    async fn reference(&self) -> &str {
        &self.0.facts.reference
    }
    async fn signed_on(&self) -> Date {
        Date(self.0.facts.signed_on)
    }
    async fn years(&self) -> Vec<CpamAciYear> {
        self.0
            .facts
            .years
            .iter()
            .map(|y| CpamAciYear { year: y.year, points: y.points, paid: y.paid.map(Money) })
            .collect()
    }
    async fn coordination_declared(&self) -> bool {
        self.0.facts.coordination_declared
    }
    async fn coordination_etp(&self) -> Option<String> {
        self.0.facts.coordination_etp.map(|e| e.to_string())
    }
    async fn coordination_holder(&self) -> Option<&str> {
        self.0.facts.coordination_holder.as_deref()
    }
    async fn fetched_at(&self) -> DateTime<Utc> {
        self.0.fetched_at
    }
}

/// What a refresh did with one of the CPAM's contracts. Its copy is kept in every case.
#[derive(Debug, Enum, Copy, Clone, Eq, PartialEq)]
pub enum CpamContractOutcome {
    /// No record had its reference: one was created from the CPAM's facts.
    Created,
    /// A record typed in by hand has its reference: the copy is now linked to it.
    Linked,
    /// Already linked by an earlier refresh: the copy was updated.
    Refreshed,
    /// No record has its reference and none could be created (see `reason`).
    NotStored,
}

/// One CPAM contract a refresh stored.
#[derive(Debug, SimpleObject)]
pub struct CpamContractStored {
    pub reference: String,
    pub outcome: CpamContractOutcome,
    /// The record it created or is linked to; null when not stored or outside your structures.
    pub contract: Option<AidContractObject>,
    /// Why no record could be stored.
    pub reason: Option<String>,
    /// Adherents the CPAM lists who are not recorded doctors: left out of a created record.
    pub unknown_member_rpps: Vec<String>,
}

impl CpamContractStored {
    /// `contract` is the record of `stored`, already loaded through the viewer's scope.
    pub fn new(stored: StoredCopy, contract: Option<AidContractObject>) -> Self {
        let (outcome, reason) = match &stored.outcome {
            CopyOutcome::Created(_) => (CpamContractOutcome::Created, None),
            CopyOutcome::Linked(_) => (CpamContractOutcome::Linked, None),
            CopyOutcome::Refreshed(_) => (CpamContractOutcome::Refreshed, None),
            CopyOutcome::NotStored(why) => (CpamContractOutcome::NotStored, Some(why.to_string())),
        };
        Self {
            reference: stored.reference,
            outcome,
            contract,
            reason,
            unknown_member_rpps: stored.unknown_members.iter().map(|r| r.as_str().to_owned()).collect(),
        }
    }
}
