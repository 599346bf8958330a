//! vCard (RFC 6350) for contacts, with the `calcard` crate: a party written
//! as a card for address books, and the cards of a `.vcf` file read as leads.

use calcard::vcard::{VCard, VCardEntry, VCardKind, VCardProperty, VCardValue, VCardVersion};
use calcard::{Entry, Parser};
use seam_domain::crm::LeadDraft;
use seam_store::parties::PartyRow;

/// The most cards one file may hold.
pub const CARDS_MAX: usize = 10_000;

fn text(name: VCardProperty, value: &str) -> VCardEntry {
    VCardEntry::new(name).with_value(value.to_owned())
}

/// The party as a vCard 4.0; `company` is the name of the company a person works for.
pub fn party_card(party: &PartyRow, company: Option<&str>) -> String {
    let mut entries = vec![
        VCardEntry::new(VCardProperty::Kind).with_value(if party.kind == "company" {
            VCardValue::Kind(VCardKind::Org)
        } else {
            VCardValue::Kind(VCardKind::Individual)
        }),
        text(VCardProperty::Fn, &party.name),
        text(VCardProperty::Uid, &format!("urn:seam:party:{}", party.id)),
    ];
    let org = if party.kind == "company" {
        Some(party.name.as_str())
    } else {
        company
    };
    if let Some(org) = org {
        entries.push(text(VCardProperty::Org, org));
    }
    if let Some(email) = &party.email {
        entries.push(text(VCardProperty::Email, email));
    }
    if let Some(phone) = &party.phone {
        entries.push(text(VCardProperty::Tel, phone));
    }
    let street = party.street.clone().unwrap_or_default();
    let city = party.city.clone().unwrap_or_default();
    let postal = party.postal_code.clone().unwrap_or_default();
    let country = party.country.clone().unwrap_or_default();
    if [&street, &city, &postal, &country]
        .iter()
        .any(|s| !s.is_empty())
    {
        // ADR: post office box; extended address; street; locality; region; postal code; country.
        entries.push(
            VCardEntry::new(VCardProperty::Adr).with_value(VCardValue::Component(vec![
                String::new(),
                String::new(),
                street,
                city,
                String::new(),
                postal,
                country,
            ])),
        );
    }
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = VCard { entries }.write_to(&mut out, VCardVersion::V4_0);
    out
}

fn first_text(card: &VCard, name: &VCardProperty) -> String {
    card.property(name)
        .and_then(|e| e.values.iter().find_map(VCardValue::as_text))
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// The cards of a `.vcf` file as leads: FN (or N) as the name, ORG as the
/// company, the first EMAIL and TEL, and NOTE.
///
/// Errors: `error-vcard` when the file holds anything but cards, or none;
/// `error-csv-too-many-rows` over [`CARDS_MAX`].
pub fn read_cards(text: &str) -> Result<Vec<LeadDraft>, &'static str> {
    let mut parser = Parser::new(text);
    let mut leads = Vec::new();
    loop {
        match parser.entry() {
            Entry::VCard(card) => {
                if leads.len() == CARDS_MAX {
                    return Err("error-csv-too-many-rows");
                }
                let mut name = first_text(&card, &VCardProperty::Fn);
                if name.is_empty() {
                    name = card
                        .property(&VCardProperty::N)
                        .map(|e| {
                            let parts: Vec<&str> =
                                e.values.iter().filter_map(VCardValue::as_text).collect();
                            // N: family; given; … — written as "given family".
                            let family = parts.first().copied().unwrap_or_default();
                            let given = parts.get(1).copied().unwrap_or_default();
                            format!("{given} {family}").trim().to_owned()
                        })
                        .unwrap_or_default();
                }
                leads.push(LeadDraft {
                    name,
                    company: first_text(&card, &VCardProperty::Org),
                    email: first_text(&card, &VCardProperty::Email),
                    phone: first_text(&card, &VCardProperty::Tel),
                    notes: first_text(&card, &VCardProperty::Note),
                    campaign: String::new(),
                });
            }
            Entry::Eof => break,
            _ => return Err("error-vcard"),
        }
    }
    if leads.is_empty() {
        return Err("error-vcard");
    }
    Ok(leads)
}

/// A party's card, for its page's download. Needs `parties.read`.
pub async fn party_vcard(
    app: &crate::App,
    actor: &crate::Actor,
    id: seam_domain::ids::PartyId,
) -> crate::AppResult<String> {
    let row = crate::parties::party(app, actor, id).await?;
    let company = match row.company_id {
        Some(c) => Some(
            crate::parties::party(app, actor, seam_domain::ids::PartyId(c))
                .await?
                .name,
        ),
        None => None,
    };
    Ok(party_card(&row, company.as_deref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cards_are_read_as_leads_and_anything_else_is_refused() {
        let file = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Anna Berg\r\nORG:Berg Logistik AB\r\nEMAIL:anna@berg.se\r\nTEL:+46 70 123 45 67\r\nNOTE:Met at the fair\\, hall 2\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nN:Lind;Olle;;;\r\nEND:VCARD\r\n";
        let leads = read_cards(file).unwrap();
        assert_eq!(leads.len(), 2);
        assert_eq!(leads[0].name, "Anna Berg");
        assert_eq!(leads[0].company, "Berg Logistik AB");
        assert_eq!(leads[0].email, "anna@berg.se");
        assert_eq!(leads[0].phone, "+46 70 123 45 67");
        assert_eq!(leads[0].notes, "Met at the fair, hall 2");
        assert_eq!(leads[1].name, "Olle Lind");
        assert_eq!(read_cards("name,email\nAnna,a@b.se\n"), Err("error-vcard"));
        assert_eq!(read_cards(""), Err("error-vcard"));
    }
}
