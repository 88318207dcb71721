//! Opaque global IDs for the `Node` interface: base64url of `Type:number`.
//!
//! Clients must treat them as opaque; the encoding only has to be stable and reversible.

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeType {
    Structure,
    Practitioner,
    Membership,
    Assistant,
    Assignment,
    AidContract,
    Professional,
    AciContract,
    Grant,
}

impl NodeType {
    const ALL: [NodeType; 9] = [
        NodeType::Structure,
        NodeType::Practitioner,
        NodeType::Membership,
        NodeType::Assistant,
        NodeType::Assignment,
        NodeType::AidContract,
        NodeType::Professional,
        NodeType::AciContract,
        NodeType::Grant,
    ];

    fn name(self) -> &'static str {
        match self {
            NodeType::Structure => "Structure",
            NodeType::Practitioner => "Practitioner",
            NodeType::Membership => "Membership",
            NodeType::Assistant => "Assistant",
            NodeType::Assignment => "Assignment",
            NodeType::AidContract => "AidContract",
            NodeType::Professional => "Professional",
            NodeType::AciContract => "AciContract",
            NodeType::Grant => "Grant",
        }
    }
}

pub fn encode(kind: NodeType, id: i64) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", kind.name())))
}

/// Decodes any global ID; `None` when it is not one of ours.
pub fn decode(id: &str) -> Option<(NodeType, i64)> {
    let bytes = URL_SAFE_NO_PAD.decode(id.trim()).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (name, number) = text.split_once(':')?;
    let kind = NodeType::ALL.into_iter().find(|k| k.name() == name)?;
    let number: i64 = number.parse().ok()?;
    (number > 0).then_some((kind, number))
}

/// Decodes a global ID that must be of `kind`.
pub fn decode_as(kind: NodeType, id: &str) -> Option<i64> {
    decode(id).filter(|(k, _)| *k == kind).map(|(_, n)| n)
}

/// Cursor of a keyset-paginated list: the opaque form of the last row's id.
pub fn encode_cursor(id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("cursor:{id}"))
}

pub fn decode_cursor(cursor: &str) -> Option<i64> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor.trim()).ok()?).ok()?;
    text.strip_prefix("cursor:")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_type_check() {
        let id = encode(NodeType::Structure, 42);
        assert_eq!(decode(&id), Some((NodeType::Structure, 42)));
        assert_eq!(decode_as(NodeType::Practitioner, &id), None);
        assert_eq!(decode("not-an-id"), None);
        assert_eq!(decode(&URL_SAFE_NO_PAD.encode("Structure:-1")), None);
        assert_eq!(decode_cursor(&encode_cursor(7)), Some(7));
        assert_eq!(decode_cursor("garbage"), None);
    }
}
