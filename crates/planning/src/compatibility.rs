//! The compatibility report of a structure (CMP-*, RULES.md §9.2): its aid contracts, ACI,
//! other public money, employees' costs and traced hours as the compatibility rules see them
//! for the report day's calendar year, and what the rules find, each finding tied back to the
//! records it is about.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use domain::funding::{AciContract as AciRecord, CoordinationHolder, Grant};
use domain::rules::compatibility::{
    self, AciContract, AidShare, CompatibilityCase, Coordination, DoctorContracts, Employee, Employer, Finding,
    FundedEmployee, Holder, MonthRecord, OtherFunding, StructureFacts,
};
use domain::rules::{RuleBook, RuleError};
use domain::{ContractStatus, Etp};
use rust_decimal::Decimal;

use crate::assessed::Assessed;
use crate::dashboard::Dashboard;
use crate::funding::Funding;
use crate::money::{MoneyTable, in_year};
use crate::team::Team;

/// A record a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Subject {
    Doctor(String),
    Assistant(String),
    AidContract(String),
    AciContract(String),
    Grant(String),
    /// Someone or something the store does not otherwise record (an outside coordinator).
    Named(String),
}

#[derive(Debug, Clone)]
pub struct ReportFinding {
    pub finding: Finding,
    /// The records of `finding.about`, in its order.
    pub subjects: Vec<(Subject, String)>,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub as_of: NaiveDate,
    pub year: i32,
    /// Conflicts first, then warnings, then information, each in rule order.
    pub findings: Vec<ReportFinding>,
    /// Every CMP rule's trace, and the verdict: NOT_ELIGIBLE with a conflict.
    pub assessed: Assessed,
}

impl Report {
    pub fn conflicts(&self) -> usize {
        self.findings.iter().filter(|f| f.finding.severity == compatibility::Severity::Conflict).count()
    }
}

/// Traced hours of each assistant (by id) for the months of the report's year.
pub type TracedMonths = BTreeMap<String, Vec<MonthRecord>>;

/// Unique labels for the case, and the record behind each.
#[derive(Default)]
struct Labels(BTreeMap<String, Subject>);

impl Labels {
    fn add(&mut self, label: &str, subject: Subject) -> String {
        let mut unique = label.to_owned();
        let mut n = 2;
        while self.0.get(&unique).is_some_and(|s| *s != subject) {
            unique = format!("{label} ({n})");
            n += 1;
        }
        self.0.insert(unique.clone(), subject);
        unique
    }
}

fn contract_label(id: &str, holder: &str) -> String {
    format!("aid contract {id} ({holder})")
}

fn aci_label(c: &AciRecord) -> String {
    c.fields.cpam_reference.clone().unwrap_or_else(|| format!("ACI contract {}", c.id.0))
}

fn grant_label(g: &Grant) -> String {
    format!("{} {} ({})", g.fields.scheme.code(), g.id.0, g.fields.payer)
}

/// The ACI contract that runs in the report's year: the latest signed by the report day that
/// has not ended before the year began.
fn running_aci(funding: &Funding, as_of: NaiveDate) -> Option<&AciRecord> {
    let year_start = NaiveDate::from_ymd_opt(as_of.year(), 1, 1)?;
    funding
        .aci
        .iter()
        .filter(|c| c.fields.status != ContractStatus::Draft && c.fields.signed_on <= as_of)
        .filter(|c| c.fields.ends_on.is_none_or(|end| end >= year_start))
        .max_by_key(|c| c.fields.signed_on)
}

/// The structure's records as the compatibility rules read them, and the label of each record.
fn case_of(
    team: &Team,
    dashboard: &Dashboard,
    funding: &Funding,
    money: &MoneyTable,
    traced: &TracedMonths,
) -> Result<(CompatibilityCase, Labels), RuleError> {
    let as_of = dashboard.as_of;
    let year = as_of.year();
    let mut labels = Labels::default();
    let mut doctor_label = BTreeMap::new();
    for m in &team.members {
        doctor_label.insert(m.id.clone(), labels.add(&m.label, Subject::Doctor(m.id.clone())));
    }
    let mut contract_labels = BTreeMap::new();
    let mut doctors = Vec::new();
    for m in &dashboard.members {
        let label = doctor_label.get(&m.id).cloned().unwrap_or_else(|| m.label.clone());
        let individual_contracts = m
            .contracts
            .iter()
            .filter(|c| c.maximum.is_some())
            .map(|c| {
                let l = labels.add(&contract_label(&c.id, &label), Subject::AidContract(c.id.clone()));
                contract_labels.insert(c.id.clone(), l.clone());
                l
            })
            .collect();
        doctors.push(DoctorContracts { label, individual_contracts, collective_contracts: Vec::new() });
    }
    for c in &dashboard.collective_contracts {
        let l = labels.add(&format!("collective aid contract {}", c.id), Subject::AidContract(c.id.clone()));
        contract_labels.insert(c.id.clone(), l.clone());
        if c.maximum.is_none() {
            continue;
        }
        let adherents =
            team.collective_contracts.iter().find(|h| h.id == c.id).map(|h| &h.member_ids[..]).unwrap_or(&[]);
        for d in doctors.iter_mut() {
            let id = doctor_label.iter().find(|(_, l)| **l == d.label).map(|(id, _)| id.clone());
            if id.is_some_and(|id| adherents.contains(&id)) {
                d.collective_contracts.push(l.clone());
            }
        }
    }

    let mut employee_label = BTreeMap::new();
    let mut employees = Vec::new();
    for a in &dashboard.assistants {
        let label = labels.add(&a.label, Subject::Assistant(a.id.clone()));
        employee_label.insert(a.id.clone(), label.clone());
        let held = team.assistants.iter().find(|t| t.id == a.id);
        let employer = match held.and_then(|t| t.employer_doctor.as_ref()) {
            Some(doctor) => Employer::Doctor(doctor_label.get(doctor).cloned().unwrap_or_else(|| doctor.clone())),
            None => Employer::Structure,
        };
        let money_year = money.employee(&a.id, year);
        employees.push(Employee {
            label,
            employer,
            contractual_etp: a.contractual_etp,
            aid_funding: a
                .funded_by
                .iter()
                .map(|(c, etp)| AidShare {
                    contract: contract_labels.get(c).cloned().unwrap_or_else(|| c.clone()),
                    etp: *etp,
                })
                .collect(),
            aid_amount_for_year: money_year.map(|m| m.aid),
            employment_cost_for_year: money_year.and_then(|m| m.cost),
            months: traced.get(&a.id).cloned().unwrap_or_default(),
        });
    }

    let running = running_aci(funding, as_of);
    let aci = running.map(|c| {
        let label = labels.add(&aci_label(c), Subject::AciContract(c.id.0.to_string()));
        let this_year = c.years.iter().find(|y| y.year == year);
        let co = &c.fields.coordination;
        let coordination = (co.declared).then(|| {
            let holder = match &co.holder {
                Some(CoordinationHolder::Assistant(id)) => employee_label
                    .get(&id.0.to_string())
                    .map(|l| Holder::Employee(l.clone()))
                    .unwrap_or_else(|| Holder::Named(format!("assistant {}", id.0))),
                Some(CoordinationHolder::Named(name)) => Holder::Named(labels.add(name, Subject::Named(name.clone()))),
                None => Holder::Named(labels.add("coordinator not recorded", Subject::Named(String::new()))),
            };
            Coordination {
                holder,
                etp: co.etp.unwrap_or(Etp::new(0, 1)),
                share_for_year: this_year.and_then(|y| y.coordination_paid).unwrap_or(Decimal::ZERO),
            }
        });
        AciContract {
            reference: label,
            signed_on: c.fields.signed_on,
            ended_on: c.fields.ends_on,
            coordination,
            amount_for_year: this_year.and_then(|y| y.paid),
        }
    });

    let mut other_funding = Vec::new();
    for g in &funding.grants {
        let amount_for_year = in_year(g.fields.amount, &g.fields.period, year)?;
        if amount_for_year.is_zero() {
            continue;
        }
        let mut funded = Vec::new();
        for s in &g.fields.employees {
            let Some(label) = employee_label.get(&s.assistant_id.0.to_string()) else { continue };
            let hours = s.hours.map(|h| in_year(h, &g.fields.period, year)).transpose()?;
            funded.push(FundedEmployee {
                label: label.clone(),
                amount: in_year(s.amount, &g.fields.period, year)?,
                hours,
            });
        }
        other_funding.push(OtherFunding {
            reference: labels.add(&grant_label(g), Subject::Grant(g.id.0.to_string())),
            scheme: g.fields.scheme,
            payer: g.fields.payer.clone(),
            purpose: g.fields.purpose.clone(),
            pays_salaries: g.fields.pays_salaries,
            starts_on: g.fields.period.from(),
            ends_on: g.fields.period.to(),
            amount_for_year,
            employees: funded,
            doctor: g.fields.practitioner_id.and_then(|p| doctor_label.get(&p.0.to_string()).cloned()),
        });
    }

    let sisa_since = running.and_then(|c| c.fields.sisa_on);
    let case = CompatibilityCase {
        on: as_of,
        year,
        structure: StructureFacts {
            label: team.name.clone(),
            legal_form: team.legal_form,
            sisa_since,
            employer_group_statutes: Some(team.sisa_employer_group),
        },
        aci,
        employees,
        doctors,
        other_funding,
    };
    Ok((case, labels))
}

/// The compatibility report on the dashboard's day.
pub fn report(
    book: &RuleBook,
    team: &Team,
    dashboard: &Dashboard,
    funding: &Funding,
    money: &MoneyTable,
    traced: &TracedMonths,
) -> Result<Report, RuleError> {
    let (case, labels) = case_of(team, dashboard, funding, money, traced)?;
    let (found, explanation) = compatibility::explain(book, &case)?;
    let assessed = Assessed::from_traces(&explanation);
    let mut findings: Vec<ReportFinding> = found
        .into_iter()
        .map(|finding| {
            let subjects = finding
                .about
                .iter()
                .filter_map(|l| labels.0.get(l).map(|s| (s.clone(), l.clone())))
                .filter(|(s, _)| *s != Subject::Named(String::new()))
                .collect();
            ReportFinding { finding, subjects }
        })
        .collect();
    // Stable: rule order within a severity.
    findings.sort_by_key(|f| std::cmp::Reverse(f.finding.severity));
    Ok(Report { as_of: dashboard.as_of, year: case.year, findings, assessed })
}
