//! Reading ETSI TS 119 612 XML into [`TrustedList`].
//!
//! The XML is parsed with `roxmltree` with DTDs refused (so no entity can be declared and
//! nothing is ever fetched) and a node budget; the depth is checked before anything walks
//! the tree. Elements are matched by local name: lists in the wild use various prefixes.

use base64::Engine;
use roxmltree::{Document, Node, ParsingOptions};
use time::OffsetDateTime;

use crate::model::{
    Assert, Criteria, DigitalIdentity, ParseIssue, Pointer, Provider, Qualification, Qualifier,
    Service, ServicePeriod, TrustedList,
};
use crate::Error;

/// Largest list accepted, in bytes (TSL-IT is about 2.4 MB, the LOTL about 0.5 MB).
pub const MAX_LIST_BYTES: usize = 32 * 1024 * 1024;
/// Most XML nodes accepted (TSL-IT has about 60,000).
pub const MAX_NODES: u32 = 2_000_000;
/// Deepest element nesting accepted (real lists stay under 20).
pub const MAX_DEPTH: usize = 64;

/// Parses the bytes as XML with the budgets above and no DTD (for [`crate::dsig::verify`]).
pub fn parse_xml(bytes: &[u8]) -> Result<Document<'_>, Error> {
    if bytes.len() > MAX_LIST_BYTES {
        return Err(Error::TooLarge(bytes.len()));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| Error::NotUtf8)?;
    let doc = Document::parse_with_options(
        text,
        ParsingOptions {
            allow_dtd: false,
            nodes_limit: MAX_NODES,
            ..ParsingOptions::default()
        },
    )
    .map_err(|e| Error::Xml(e.to_string()))?;
    check_depth(&doc)?;
    Ok(doc)
}

fn check_depth(doc: &Document<'_>) -> Result<(), Error> {
    // Depth of each node by id, filled in document order (a parent comes before its
    // children), so the check is linear whatever the shape.
    let mut depth: Vec<usize> = Vec::new();
    for n in doc.root().descendants() {
        let d = n
            .parent()
            .and_then(|p| depth.get(p.id().get_usize()).copied())
            .map_or(0, |d| d + 1);
        if d > MAX_DEPTH {
            return Err(Error::TooDeep);
        }
        let i = n.id().get_usize();
        if depth.len() <= i {
            depth.resize(i + 1, 0);
        }
        if let Some(slot) = depth.get_mut(i) {
            *slot = d;
        }
    }
    Ok(())
}

fn child<'a, 'i>(n: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    n.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

fn children<'a, 'i: 'a>(n: Node<'a, 'i>, name: &'a str) -> impl Iterator<Item = Node<'a, 'i>> {
    n.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

fn text_of(n: Node<'_, '_>) -> String {
    n.descendants()
        .filter(|d| d.is_text())
        .filter_map(|d| d.text())
        .collect::<String>()
        .trim()
        .to_owned()
}

fn child_text(n: Node<'_, '_>, name: &str) -> Option<String> {
    child(n, name).map(text_of)
}

/// A multilingual name (`<Name xml:lang="en">`): English first, else the first one.
fn names_text(n: Option<Node<'_, '_>>) -> String {
    let Some(n) = n else {
        return String::new();
    };
    let names: Vec<Node<'_, '_>> = children(n, "Name").collect();
    let english = names.iter().find(|c| {
        c.attribute(("http://www.w3.org/XML/1998/namespace", "lang"))
            .is_some_and(|l| l.eq_ignore_ascii_case("en"))
    });
    english
        .or(names.first())
        .map(|c| text_of(*c))
        .unwrap_or_default()
}

/// Parses an `xsd:dateTime`; without a zone it is taken as UTC (the lists use `Z`).
pub(crate) fn parse_datetime(s: &str) -> Option<OffsetDateTime> {
    let s = s.trim();
    let rfc = time::format_description::well_known::Rfc3339;
    OffsetDateTime::parse(s, &rfc)
        .ok()
        .or_else(|| OffsetDateTime::parse(&format!("{s}Z"), &rfc).ok())
}

fn base64_der(s: &str) -> Option<Vec<u8>> {
    let compact: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .ok()
}

fn digital_identity(n: Option<Node<'_, '_>>) -> Result<DigitalIdentity, String> {
    let mut id = DigitalIdentity::default();
    let Some(n) = n else {
        return Ok(id);
    };
    for d in n.descendants().filter(|d| d.is_element()) {
        match d.tag_name().name() {
            "X509Certificate" => id
                .certificates
                .push(base64_der(&text_of(d)).ok_or("a certificate is not valid base64")?),
            "X509SubjectName" => id.subject_names.push(text_of(d)),
            "X509SKI" => id
                .skis
                .push(base64_der(&text_of(d)).ok_or("a key identifier is not valid base64")?),
            _ => {}
        }
    }
    Ok(id)
}

fn criteria(n: Node<'_, '_>, depth: usize) -> Criteria {
    let assert = match n.attribute("assert") {
        Some("all") => Assert::All,
        Some("none") => Assert::None,
        _ => Assert::AtLeastOne,
    };
    let mut c = Criteria {
        assert,
        key_usage: Vec::new(),
        policy_sets: Vec::new(),
        nested: Vec::new(),
        unsupported: false,
    };
    for item in n.children().filter(|x| x.is_element()) {
        match item.tag_name().name() {
            "KeyUsage" => c.key_usage.push(
                children(item, "KeyUsageBit")
                    .filter_map(|b| {
                        Some((
                            b.attribute("name")?.to_owned(),
                            text_of(b).eq_ignore_ascii_case("true"),
                        ))
                    })
                    .collect(),
            ),
            "PolicySet" => c.policy_sets.push(
                children(item, "PolicyIdentifier")
                    .filter_map(|p| child(p, "Identifier"))
                    .map(|i| {
                        let t = text_of(i);
                        t.strip_prefix("urn:oid:").map(str::to_owned).unwrap_or(t)
                    })
                    .collect(),
            ),
            // The depth is bounded by MAX_DEPTH already; the counter keeps it obvious.
            "CriteriaList" if depth < MAX_DEPTH => c.nested.push(criteria(item, depth + 1)),
            "Description" => {}
            _ => c.unsupported = true,
        }
    }
    c
}

fn qualifications(info: Node<'_, '_>) -> (Vec<String>, Vec<Qualification>) {
    let mut additional = Vec::new();
    let mut quals = Vec::new();
    let Some(exts) = child(info, "ServiceInformationExtensions") else {
        return (additional, quals);
    };
    for ext in children(exts, "Extension") {
        for e in ext.children().filter(|x| x.is_element()) {
            match e.tag_name().name() {
                "AdditionalServiceInformation" => {
                    if let Some(u) = child_text(e, "URI") {
                        additional.push(u);
                    }
                }
                "Qualifications" => {
                    for q in children(e, "QualificationElement") {
                        let qualifiers = child(q, "Qualifiers")
                            .map(|qs| {
                                children(qs, "Qualifier")
                                    .filter_map(|x| x.attribute("uri"))
                                    .filter_map(Qualifier::from_uri)
                                    .collect()
                            })
                            .unwrap_or_default();
                        let crit =
                            child(q, "CriteriaList")
                                .map(|c| criteria(c, 0))
                                .unwrap_or(Criteria {
                                    assert: Assert::All,
                                    key_usage: Vec::new(),
                                    policy_sets: Vec::new(),
                                    nested: Vec::new(),
                                    unsupported: true,
                                });
                        quals.push(Qualification {
                            qualifiers,
                            criteria: crit,
                        });
                    }
                }
                _ => {}
            }
        }
    }
    (additional, quals)
}

fn period(n: Node<'_, '_>, inherited: Option<&DigitalIdentity>) -> Result<ServicePeriod, String> {
    let type_identifier =
        child_text(n, "ServiceTypeIdentifier").ok_or("a service has no type identifier")?;
    let status = child_text(n, "ServiceStatus").ok_or("a service has no status")?;
    let start_text =
        child_text(n, "StatusStartingTime").ok_or("a service has no status starting time")?;
    let start = parse_datetime(&start_text).ok_or("a status starting time is not a date")?;
    let identity_node = child(n, "ServiceDigitalIdentity");
    let mut identity = digital_identity(identity_node)?;
    // History instances may give only an SKI or a name: keep the current certificates so
    // that the history applies to the same service.
    if let Some(cur) = inherited {
        if identity.certificates.is_empty() {
            identity.certificates.clone_from(&cur.certificates);
        }
    }
    let (additional_information, qualifications) = qualifications(n);
    Ok(ServicePeriod {
        type_identifier,
        name: names_text(child(n, "ServiceName")),
        status,
        start,
        additional_information,
        qualifications,
        identity,
    })
}

fn service(n: Node<'_, '_>) -> Result<Service, String> {
    let info = child(n, "ServiceInformation").ok_or("a service has no information")?;
    let current = period(info, None)?;
    let mut periods = vec![];
    let mut history = Vec::new();
    if let Some(h) = child(n, "ServiceHistory") {
        for inst in children(h, "ServiceHistoryInstance") {
            history.push(period(inst, Some(&current.identity))?);
        }
    }
    periods.push(current);
    history.sort_by_key(|p| std::cmp::Reverse(p.start));
    periods.extend(history);
    Ok(Service { periods })
}

fn pointer(n: Node<'_, '_>) -> Result<Pointer, String> {
    let location = child_text(n, "TSLLocation").ok_or("a pointer has no location")?;
    let mut p = Pointer {
        location,
        territory: None,
        mime_type: None,
        tsl_type: None,
        certificates: Vec::new(),
    };
    if let Some(ids) = child(n, "ServiceDigitalIdentities") {
        for id in children(ids, "ServiceDigitalIdentity") {
            p.certificates
                .extend(digital_identity(Some(id))?.certificates);
        }
    }
    if let Some(add) = child(n, "AdditionalInformation") {
        for other in children(add, "OtherInformation") {
            for e in other.children().filter(|x| x.is_element()) {
                match e.tag_name().name() {
                    "SchemeTerritory" => p.territory = Some(text_of(e)),
                    "MimeType" => p.mime_type = Some(text_of(e)),
                    "TSLType" => p.tsl_type = Some(text_of(e)),
                    _ => {}
                }
            }
        }
    }
    Ok(p)
}

/// Parses a trusted list (LOTL or national list).
///
/// The header fields are required; a provider or service that cannot be read is left out
/// and recorded in [`TrustedList::issues`].
pub fn parse(bytes: &[u8]) -> Result<TrustedList, Error> {
    let doc = parse_xml(bytes)?;
    from_document(&doc)
}

/// Reads a trusted list from an XML document parsed with [`parse_xml`].
pub fn from_document(doc: &Document<'_>) -> Result<TrustedList, Error> {
    let root = doc.root_element();
    if root.tag_name().name() != "TrustServiceStatusList" {
        return Err(Error::NotATrustedList);
    }
    let info = child(root, "SchemeInformation").ok_or(Error::Missing("SchemeInformation"))?;
    let version = child_text(info, "TSLVersionIdentifier")
        .and_then(|v| v.parse().ok())
        .ok_or(Error::Missing("TSLVersionIdentifier"))?;
    let sequence_number = child_text(info, "TSLSequenceNumber")
        .and_then(|v| v.parse().ok())
        .ok_or(Error::Missing("TSLSequenceNumber"))?;
    let issued = child_text(info, "ListIssueDateTime")
        .and_then(|v| parse_datetime(&v))
        .ok_or(Error::Missing("ListIssueDateTime"))?;
    let next_update = child(info, "NextUpdate")
        .and_then(|n| child_text(n, "dateTime"))
        .and_then(|v| parse_datetime(&v));
    let mut list = TrustedList {
        version,
        sequence_number,
        tsl_type: child_text(info, "TSLType").unwrap_or_default(),
        operator_name: names_text(child(info, "SchemeOperatorName")),
        territory: child_text(info, "SchemeTerritory").ok_or(Error::Missing("SchemeTerritory"))?,
        issued,
        next_update,
        pointers: Vec::new(),
        providers: Vec::new(),
        issues: Vec::new(),
    };
    if let Some(ptrs) = child(info, "PointersToOtherTSL") {
        for p in children(ptrs, "OtherTSLPointer") {
            match pointer(p) {
                Ok(p) => list.pointers.push(p),
                Err(message) => list.issues.push(ParseIssue {
                    provider: None,
                    message: message.to_owned(),
                }),
            }
        }
    }
    if let Some(tsps) = child(root, "TrustServiceProviderList") {
        for tsp in children(tsps, "TrustServiceProvider") {
            let name = names_text(child(tsp, "TSPInformation").and_then(|i| child(i, "TSPName")));
            let mut services = Vec::new();
            if let Some(svcs) = child(tsp, "TSPServices") {
                for s in children(svcs, "TSPService") {
                    match service(s) {
                        Ok(s) => services.push(s),
                        Err(message) => list.issues.push(ParseIssue {
                            provider: Some(name.clone()),
                            message: message.to_owned(),
                        }),
                    }
                }
            }
            list.providers.push(Provider { name, services });
        }
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINI: &str = r#"<?xml version="1.0"?>
<TrustServiceStatusList xmlns="http://uri.etsi.org/02231/v2#">
<SchemeInformation><TSLVersionIdentifier>5</TSLVersionIdentifier><TSLSequenceNumber>7</TSLSequenceNumber>
<TSLType>http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUgeneric</TSLType>
<SchemeOperatorName><Name xml:lang="it">Operatore</Name><Name xml:lang="en">Operator</Name></SchemeOperatorName>
<SchemeTerritory>IT</SchemeTerritory><ListIssueDateTime>2023-01-01T00:00:00Z</ListIssueDateTime>
<NextUpdate><dateTime>2023-07-01T00:00:00Z</dateTime></NextUpdate></SchemeInformation>
<TrustServiceProviderList>
<TrustServiceProvider><TSPInformation><TSPName><Name xml:lang="en">Good</Name></TSPName></TSPInformation><TSPServices>
<TSPService><ServiceInformation><ServiceTypeIdentifier>http://uri.etsi.org/TrstSvc/Svctype/CA/QC</ServiceTypeIdentifier>
<ServiceName><Name xml:lang="en">CA 1</Name></ServiceName><ServiceDigitalIdentity><DigitalId><X509SKI>AQID</X509SKI></DigitalId></ServiceDigitalIdentity>
<ServiceStatus>http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/withdrawn</ServiceStatus><StatusStartingTime>2020-01-01T00:00:00Z</StatusStartingTime>
<ServiceInformationExtensions><Extension Critical="true"><Qualifications xmlns="http://uri.etsi.org/TrstSvc/SvcInfoExt/eSigDir-1999-93-EC-TrustedList/#"><QualificationElement>
<Qualifiers><Qualifier uri="http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/QCWithSSCD"/></Qualifiers>
<CriteriaList assert="atLeastOne"><PolicySet><PolicyIdentifier><Identifier xmlns="http://uri.etsi.org/01903/v1.3.2#" Qualifier="OIDAsURN">urn:oid:1.2.3</Identifier></PolicyIdentifier></PolicySet></CriteriaList>
</QualificationElement></Qualifications></Extension></ServiceInformationExtensions></ServiceInformation>
<ServiceHistory><ServiceHistoryInstance><ServiceTypeIdentifier>http://uri.etsi.org/TrstSvc/Svctype/CA/QC</ServiceTypeIdentifier>
<ServiceName><Name xml:lang="en">CA 1</Name></ServiceName><ServiceDigitalIdentity><DigitalId><X509SKI>AQID</X509SKI></DigitalId></ServiceDigitalIdentity>
<ServiceStatus>http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted</ServiceStatus><StatusStartingTime>2016-07-01T00:00:00Z</StatusStartingTime></ServiceHistoryInstance></ServiceHistory>
</TSPService></TSPServices></TrustServiceProvider>
<TrustServiceProvider><TSPInformation><TSPName><Name xml:lang="en">Broken</Name></TSPName></TSPInformation><TSPServices>
<TSPService><ServiceInformation><ServiceTypeIdentifier>x</ServiceTypeIdentifier><ServiceStatus>y</ServiceStatus><StatusStartingTime>yesterday</StatusStartingTime></ServiceInformation></TSPService>
</TSPServices></TrustServiceProvider>
</TrustServiceProviderList></TrustServiceStatusList>"#;

    fn t(s: &str) -> OffsetDateTime {
        parse_datetime(s).unwrap()
    }

    #[test]
    fn mini_list_header_services_history_and_qualifiers_are_read() {
        let l = parse(MINI.as_bytes()).unwrap();
        assert_eq!((l.sequence_number, l.territory.as_str()), (7, "IT"));
        assert_eq!(l.operator_name, "Operator");
        assert_eq!(l.next_update, Some(t("2023-07-01T00:00:00Z")));
        assert_eq!(l.providers.len(), 2);
        let s = &l.providers[0].services[0];
        assert_eq!(s.periods.len(), 2);
        assert_eq!(
            s.at(t("2018-01-01T00:00:00Z")).unwrap().status,
            crate::model::status::GRANTED
        );
        assert_eq!(
            s.at(t("2021-01-01T00:00:00Z")).unwrap().status,
            crate::model::status::WITHDRAWN
        );
        assert!(s.at(t("2010-01-01T00:00:00Z")).is_none());
        let q = &s.current().unwrap().qualifications[0];
        assert_eq!(q.qualifiers, vec![Qualifier::WithSscd]);
        assert_eq!(q.criteria.policy_sets, vec![vec!["1.2.3".to_owned()]]);
        assert_eq!(s.current().unwrap().identity.skis, vec![vec![1, 2, 3]]);
    }

    #[test]
    fn mini_list_broken_service_is_recorded_per_provider() {
        let l = parse(MINI.as_bytes()).unwrap();
        assert_eq!(l.issues.len(), 1);
        assert_eq!(l.issues[0].provider.as_deref(), Some("Broken"));
        assert!(l.providers[1].services.is_empty());
    }

    #[test]
    fn dtd_with_entity_is_refused() {
        let x = r#"<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><TrustServiceStatusList>&e;</TrustServiceStatusList>"#;
        assert!(matches!(parse(x.as_bytes()), Err(Error::Xml(_))));
        let billion = r#"<?xml version="1.0"?><!DOCTYPE a [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><a>&b;</a>"#;
        assert!(matches!(parse(billion.as_bytes()), Err(Error::Xml(_))));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let mut x = String::new();
        for _ in 0..100 {
            x.push_str("<a>");
        }
        for _ in 0..100 {
            x.push_str("</a>");
        }
        assert!(matches!(parse(x.as_bytes()), Err(Error::TooDeep)));
    }

    #[test]
    fn other_root_is_not_a_trusted_list() {
        assert!(matches!(parse(b"<a/>"), Err(Error::NotATrustedList)));
        assert!(matches!(parse(b"\xff\xfe"), Err(Error::NotUtf8)));
    }
}
