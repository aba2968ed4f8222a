//! The demo's plans, seeded honestly from Copenhagen's "Politik for udsatte byområder
//! 2025–2035".
//!
//! What comes from the policy (`illustrative: false`, source quoted): the two strategic goals and
//! their six sub-goals, the ambitions for 2035, the baselines of 17,3 % without labour-market
//! attachment and 18,4 % with only basic school (both 2023), the example initiatives with their
//! owning administrations where the policy names one.
//!
//! What is illustrative (`illustrative: true`, the source says what was assumed): the targets'
//! reading as "the city average in 2035" (the policy speaks of gaps, not numbers) is kept on the
//! sourced indicators but said in their source; indicators without a figure in the policy
//! (income, convictions) have no baseline; owners the policy does not name; every placement on
//! the synthetic capital's areas; periods, statuses and budgets; version 2 of the action plan
//! (2027–2028) entirely; and the helhedsplaner (fictional housing organisations and amounts, in
//! the shape of the policy's example).

use crate::model::*;
use rust_decimal::Decimal;

const POLICY: &str = "Politikken 2025";

fn d(v: i64, scale: u32) -> Decimal {
    Decimal::new(v, scale)
}

fn sub(id: &str, name: &str, name_en: &str, quote: &str, indicators: Vec<Indicator>) -> SubGoal {
    SubGoal {
        id: id.into(),
        name: name.into(),
        name_en: name_en.into(),
        indicators,
        illustrative: false,
        source: format!("{POLICY}: «{quote}» (English: kvarter's translation)"),
    }
}

#[allow(clippy::too_many_arguments)]
fn indicator(
    id: &str,
    name: &str,
    measure: Measure,
    direction: Direction,
    baseline: Option<(Decimal, i32, &str)>,
    note: &str,
) -> Indicator {
    let illustrative = baseline.is_none();
    Indicator {
        id: id.into(),
        name: name.into(),
        measure,
        areas: Areas::All,
        // The policy's figures are for the people of the udsatte byområder; the state's
        // area-year table measures housing estates, those on a list.
        population: if measure.is_area_year() {
            Population::StateListed
        } else {
            Population::Designated
        },
        data_source: String::new(),
        direction,
        baseline: baseline.map(|(value, year, quote)| Baseline {
            value,
            year,
            source: format!("{POLICY}: «{quote}»"),
        }),
        target: Some(Target::CityAverage { year: 2035 }),
        illustrative,
        source: format!(
            "{note} Mål: københavnergennemsnittet i 2035 er kvarters læsning af politikkens mål \
             om at mindske forskellen til resten af byen; politikken sætter intet tal.{}",
            if illustrative {
                " Politikken giver intet tal for udgangspunktet: det står tomt (kan tages fra \
                 data med Plans::fill_missing_baselines)."
            } else {
                ""
            }
        ),
    }
}

struct Ini<'a> {
    id: &'a str,
    name: &'a str,
    description: &'a str,
    owner: Administration,
    /// The policy's words naming the owner, or `None` when the owner is kvarter's assumption.
    owner_quote: Option<&'a str>,
    partners: &'a [&'a str],
    sub_goals: &'a [&'a str],
}

fn initiative(
    i: &Ini<'_>,
    areas: Areas,
    period: Period,
    status: InitiativeStatus,
    extra: &str,
) -> Initiative {
    let owner = match i.owner_quote {
        Some(q) => format!("ejer efter politikken: «{q}»"),
        None => format!(
            "ejer ({}) er kvarters antagelse, politikken nævner ingen",
            i.owner.abbreviation()
        ),
    };
    Initiative {
        id: i.id.into(),
        name: i.name.into(),
        description: i.description.into(),
        owner: i.owner,
        partners: i.partners.iter().map(|s| s.to_string()).collect(),
        areas,
        sub_goals: i.sub_goals.iter().map(|s| s.to_string()).collect(),
        period,
        budget_dkk: None,
        status,
        illustrative: true,
        source: format!(
            "{POLICY}, eksempel på indsats; {owner}. Illustrativt: placering på demoens \
             områder, periode og status; intet budget i politikken.{extra}"
        ),
    }
}

/// An indicator the policy names that kvarter has no data for: it exists, shows "no data
/// source" and names the register or survey that would feed it.
fn no_source(
    id: &str,
    name: &str,
    direction: Direction,
    data_source: &str,
    note: &str,
) -> Indicator {
    Indicator {
        id: id.into(),
        name: name.into(),
        measure: Measure::NoSource,
        areas: Areas::All,
        population: Population::Designated,
        data_source: data_source.into(),
        direction,
        baseline: None,
        target: None,
        illustrative: false,
        source: format!("{POLICY}: {note}"),
    }
}

/// The 2025–2035 policy, two versions of the joint action plan and a helhedsplan for each of the
/// first three of `areas` (area id, name), as the module describes. With no areas, initiatives
/// that work in named places are placed on all designated areas and there are no helhedsplaner.
pub fn copenhagen_2025(areas: &[(&str, &str)]) -> Plans {
    use Administration::*;
    use Direction::*;
    use Measure::*;
    let goals = vec![
        Goal {
            id: "goal-1".into(),
            name: "Gode livschancer og -muligheder for københavnere i alle aldre".into(),
            name_en: "Good life chances and opportunities for Copenhageners of all ages".into(),
            sub_goals: vec![
                sub(
                    "sub-1.1",
                    "Flere i arbejde og uddannelse",
                    "More in work and education",
                    "Flere københavnere får adgang til job og uddannelse, så de kan bidrage aktivt til fællesskabet.",
                    vec![
                        indicator(
                            "ind-1.1.a",
                            "Andel uden tilknytning til arbejdsmarkedet",
                            OutsideLabourShare,
                            Down,
                            Some((
                                d(173, 1),
                                2023,
                                "Siden 2000 er andelen af borgere uden tilknytning til arbejdsmarkedet i udsatte områder faldet fra 28 % til 17,3 % i 2023.",
                            )),
                            "Målt som outside_labour_share (fuldtidspersoner 18–64 år uden for arbejde og uddannelse) på borgerne i de udsatte byområder, som politikkens tal.",
                        ),
                        indicator(
                            "ind-1.1.b",
                            "Andel med kun grundskole",
                            BasicEducationShare,
                            Down,
                            Some((
                                d(184, 1),
                                2023,
                                "I 2000 havde 36,2 % af borgerne i udsatte områder kun en grundskoleuddannelse. I 2023 er tallet faldet til 18,4 %.",
                            )),
                            "Målt som basic_education_share (30–59 år) på borgerne i de udsatte byområder, som politikkens tal.",
                        ),
                        indicator(
                            "ind-1.1.c",
                            "Andel i lavindkomstfamilier",
                            LowIncomeShare,
                            Down,
                            None,
                            "Politikken screener på indkomstniveau; målt som low_income_share (voksne i familier under 50 % af medianindkomsten).",
                        ),
                    ],
                ),
                sub(
                    "sub-1.2",
                    "Bedre trivsel og sundhed for københavnere i alle aldre",
                    "Better wellbeing and health for Copenhageners of all ages",
                    "I samarbejde med blandt andet den lokale lægepraksis, boligsociale helhedsplaner og foreningslivet vil vi fremme trivsel og skabe rammer for sunde fællesskaber.",
                    vec![
                        indicator(
                            "ind-1.2.a",
                            "Andel med dårligt helbred",
                            PoorHealthShare,
                            Down,
                            None,
                            "Politikken screener på helbred; målt som poor_health_share (voksne med dårligt helbred).",
                        ),
                        no_source(
                            "ind-1.2.b",
                            "Middellevetid",
                            Up,
                            "Danmarks Statistik: dødsfald og befolkning efter adresse (middellevetid beregnet over fem år for byområdet og resten af byen)",
                            "«Middellevetiden er 3,5 år kortere» i de udsatte byområder.",
                        ),
                    ],
                ),
                sub(
                    "sub-1.3",
                    "Styrket børne- og ungeliv",
                    "Stronger child and youth life",
                    "Flere børn og unge trives, gennemfører en ungdomsuddannelse, indgår i positive fællesskaber og får et solidt fundament for livet.",
                    vec![
                        indicator(
                            "ind-1.3.a",
                            "Andel 25-årige uden ungdomsuddannelse",
                            NoYouthEducationAt25Share,
                            Down,
                            None,
                            "Politikken screener på ungdomsuddannelse; målt som no_youth_education_at_25_share.",
                        ),
                        indicator(
                            "ind-1.3.b",
                            "Andel børn i fattige familier",
                            ChildPovertyShare,
                            Down,
                            None,
                            "Politikken screener på børnefattigdom; målt som child_poverty_share.",
                        ),
                        no_source(
                            "ind-1.3.c",
                            "Andel 6.-klasseselever i en idrætsforening",
                            Up,
                            "Børne- og Ungdomsforvaltningens trivselsmåling (foreningsdeltagelse i 6. klasse) efter skoledistrikt",
                            "«67 % af 6.-klasseselever går til idræt i en forening mod 76 % i resten af byen.»",
                        ),
                    ],
                ),
            ],
            illustrative: false,
            source: format!(
                "{POLICY}: «Alle københavnere skal have gode livschancer og muligheder, uanset hvor de bor.»"
            ),
        },
        Goal {
            id: "goal-2".into(),
            name: "Trygge og attraktive byområder for alle københavnere".into(),
            name_en: "Safe and attractive urban areas for all Copenhageners".into(),
            sub_goals: vec![
                sub(
                    "sub-2.1",
                    "Attraktive rammer og funktioner",
                    "Attractive frames and functions",
                    "De fysiske rammer, boliger og offentlige funktioner i udsatte områder skal opleves som lige så attraktive som i resten af København.",
                    vec![
                        indicator(
                            "ind-2.1.a",
                            "Andel i små boliger (under 60 m²)",
                            SmallDwellingShare,
                            Down,
                            None,
                            "Politikken 2011 målte små boliger; målt som small_dwelling_share.",
                        ),
                        indicator(
                            "ind-2.1.b",
                            "Andel i boliger med installationsmangler",
                            InstallationDeficiencyShare,
                            Down,
                            None,
                            "Politikken 2011 målte installationsmangler; målt som installation_deficiency_share.",
                        ),
                        indicator(
                            "ind-2.1.c",
                            "Andel i trangbodde boliger",
                            CrowdedShare,
                            Down,
                            None,
                            "Politikken 2011 målte beboere på få m²; målt som crowded_share.",
                        ),
                    ],
                ),
                sub(
                    "sub-2.2",
                    "Rekreative tilbud til alle",
                    "Recreational offers for all",
                    "Udsatte byområder skal have forskellige rekreative tilbud, der understøtter fysisk og mental trivsel for københavnere i alle aldre.",
                    vec![
                        no_source(
                            "ind-2.2.a",
                            "Andel boliger udsat for vejstøj",
                            Down,
                            "Miljøstyrelsens støjkortlægning (vejstøj over 58 dB) koblet til BBR-boliger",
                            "«53 % af boligerne er støjbelastede mod 48 % i resten af byen.»",
                        ),
                        no_source(
                            "ind-2.2.b",
                            "Rekreative tilbud i området",
                            Up,
                            "Kultur- og Fritidsforvaltningens register over tilbud (biblioteker, idrætsanlæg, bemandede legepladser) med adresse",
                            "«Udsatte byområder skal have forskellige rekreative tilbud.»",
                        ),
                    ],
                ),
                sub(
                    "sub-2.3",
                    "En tryg, blandet og velfungerende by",
                    "A safe, mixed and well-functioning city",
                    "Områderne skal være trygge, have gode transportforbindelser og give nem adgang til byens mange tilbud.",
                    vec![
                        indicator(
                            "ind-2.3.a",
                            "Andel utrygge om aftenen",
                            UnsafeShare,
                            Down,
                            None,
                            "Politikken: 67–72 % trygge om aftenen mod 90 % i den tryggeste bydel (2024); målt som unsafe_share fra tryghedsundersøgelsen.",
                        ),
                        indicator(
                            "ind-2.3.b",
                            "Valgdeltagelse ved kommunalvalget",
                            TurnoutShare,
                            Up,
                            None,
                            "Politikken: 33,27 % ved ét valgsted i 2021 mod næsten 60 % i hele byen; målt som turnout_share over valgdistrikterne.",
                        ),
                        indicator(
                            "ind-2.3.c",
                            "Andel dømte i de listede boligområder",
                            ConvictedPct,
                            Down,
                            None,
                            "Statens kriterium, målt i områdeårstabellen på de boligområder, der er på en statslig liste, mod de øvrige boligområder.",
                        ),
                    ],
                ),
            ],
            illustrative: false,
            source: format!(
                "{POLICY}: «Alle københavnere skal opleve trygge og attraktive byområder, der skaber rammerne for et godt liv.»"
            ),
        },
    ];
    let sub_goal_note = " Hvert delmål har indikatorer målt på borgerne i de udsatte byområder mod resten af kommunen; hvor kvarter ikke har data (middellevetid, foreningsliv, støj, rekreative tilbud), står indikatoren med den kilde, der ville kunne levere dem.";
    let policy = Policy {
        id: "policy-2025".into(),
        name: "Politik for udsatte byområder 2025–2035".into(),
        name_en: "Policy for vulnerable urban areas 2025–2035".into(),
        period: Period {
            from: 2025,
            to: 2035,
        },
        ambitions: vec![
            "Færre udsatte byområder i 2035".into(),
            "Ingen boligområder i risiko for at komme på statens lister".into(),
        ],
        goals,
        illustrative: false,
        source: format!(
            "{POLICY}: «Københavns Kommune vil desuden arbejde for, at der i 2035 er færre udsatte byområder – og at ingen boligområder er i risiko for at komme på statens lister over parallelsamfund.» Målene og delmålene er politikkens ord.{sub_goal_note}"
        ),
    };

    let area = |i: usize| -> Areas {
        match areas.get(i % areas.len().max(1)) {
            Some((id, _)) if !areas.is_empty() => Areas::Listed(vec![id.to_string()]),
            _ => Areas::All,
        }
    };
    let first_n = |n: usize| -> Areas {
        if areas.is_empty() {
            Areas::All
        } else {
            Areas::Listed(areas.iter().take(n).map(|(id, _)| id.to_string()).collect())
        }
    };
    let list: Vec<Ini> = vec![
        Ini {
            id: "ini-ungdomsvejledning",
            name: "Målrettet ungdomsuddannelsesvejledning",
            description: "Styrket, målrettet vejledning til unge i 8.–10. klasse fra udsatte områder og opsøgende indsats for unge uden uddannelse og job.",
            owner: BorneUngdom,
            owner_quote: Some(
                "Børne- og Ungdomsforvaltningen har siden 2021 haft en særlig opmærksomhed på …",
            ),
            partners: &[
                "Ungdommens Uddannelsesvejledning København",
                "boligsociale helhedsplaner",
                "lokale aktører",
            ],
            sub_goals: &["sub-1.1", "sub-1.3"],
        },
        Ini {
            id: "ini-gadeplan",
            name: "Gadeplansindsatser",
            description: "Gadeplansmedarbejdere opsøger unge på gaden for at øge trygheden og skabe social inklusion.",
            owner: Social,
            owner_quote: None,
            partners: &["SSP", "Københavns Politi"],
            sub_goals: &["sub-1.3", "sub-2.3"],
        },
        Ini {
            id: "ini-socialraadgivere-laegepraksis",
            name: "Socialrådgiverfunktion i almen praksis",
            description: "Socialrådgivere tilknyttes praktiserende læger i udsatte boligområder.",
            owner: SundhedOmsorg,
            owner_quote: Some(
                "Sundheds- og Omsorgsforvaltningen og Socialforvaltningen har siden 2018 samarbejdet om en ordning …",
            ),
            partners: &["Socialforvaltningen", "praktiserende læger"],
            sub_goals: &["sub-1.2"],
        },
        Ini {
            id: "ini-ord",
            name: "ORD – sprogstimulering og bevægelse for flersprogede familier",
            description: "Forløb for flersprogede familier med børn i alderen 4–12 måneder, med bibliotekerne.",
            owner: KulturFritid,
            owner_quote: None,
            partners: &["bibliotekerne"],
            sub_goals: &["sub-1.3"],
        },
        Ini {
            id: "ini-ips-sydhavn",
            name: "IPS Sydhavn",
            description: "Individuelt planlagt job med støtte for aktivitetsparate over 30 år med misbrug.",
            owner: BeskaeftigelseIntegration,
            owner_quote: Some(
                "Beskæftigelses- og Integrationsforvaltningen har i samarbejde med Socialforvaltningen og Region Hovedstaden en beskæftigelsesindsats i Sydhavnen …",
            ),
            partners: &["Socialforvaltningen", "Region Hovedstaden"],
            sub_goals: &["sub-1.1", "sub-1.2"],
        },
        Ini {
            id: "ini-tryghedspartnerskaber",
            name: "Tryghedspartnerskaber i udsatte byområder",
            description: "Forpligtende samarbejde mellem kommunens syv forvaltninger, Københavns Politi, SSP og de almene boligorganisationer.",
            owner: Okonomi,
            owner_quote: None,
            partners: &[
                "Københavns Politi",
                "SSP",
                "almene boligorganisationer",
                "kommunens øvrige forvaltninger",
            ],
            sub_goals: &["sub-2.3"],
        },
        Ini {
            id: "ini-udlejningsaftale",
            name: "Udlejningsaftalen mellem Københavns Kommune og BL 1. kreds",
            description: "Fælles rammer for udlejning og anvisning af almene boliger.",
            owner: Social,
            owner_quote: None,
            partners: &["BL 1. kreds", "almene boligorganisationer"],
            sub_goals: &["sub-2.3"],
        },
        Ini {
            id: "ini-omraadefornyelse",
            name: "Områdefornyelse (fx Kulbanekvarteret)",
            description: "Områdebaseret og lokaldemokratisk byfornyelse: forbindelser, byrum og mødesteder.",
            owner: TeknikMiljo,
            owner_quote: None,
            partners: &["lokale foreninger", "beboere"],
            sub_goals: &["sub-2.1", "sub-2.2"],
        },
        Ini {
            id: "ini-abif",
            name: "Aktive Børn i Forening (ABIF)",
            description: "Børn på 3–9 år introduceres til en foreningsaktivitet via dagtilbud og fritidsordning.",
            owner: KulturFritid,
            owner_quote: Some(
                "Kultur- og Fritidsforvaltningen har flere års erfaring … ABIF, der er et tværforvaltningssamarbejde …",
            ),
            partners: &[
                "Børne- og Ungdomsforvaltningen",
                "Sundheds- og Omsorgsforvaltningen",
                "foreningslivet",
            ],
            sub_goals: &["sub-1.3", "sub-2.2"],
        },
        Ini {
            id: "ini-legepladser",
            name: "Bemandede legepladser",
            description: "7 af byens 26 bemandede legepladser ligger i udsatte byområder.",
            owner: BorneUngdom,
            owner_quote: None,
            partners: &["forældre", "civilsamfundet"],
            sub_goals: &["sub-1.3", "sub-2.2"],
        },
        Ini {
            id: "ini-helhedsplaner",
            name: "Boligsociale helhedsplaner",
            description: "Kommune, boligorganisationer og Landsbyggefonden finansierer sammen helhedsplanerne; politikken nævner fem store.",
            owner: Social,
            owner_quote: None,
            partners: &["almene boligorganisationer", "Landsbyggefonden"],
            sub_goals: &["sub-1.1", "sub-1.3", "sub-2.3"],
        },
        Ini {
            id: "ini-negativ-social-kontrol",
            name: "Områdebaseret indsats mod negativ social kontrol (Bispebjerg)",
            description: "Styrker modstandskraften mod negativ social kontrol med fokus på rettigheder og handlemuligheder.",
            owner: BeskaeftigelseIntegration,
            owner_quote: Some(
                "Beskæftigelses- og Integrationsforvaltningen har i 2024 iværksat en områdebaseret og helhedsorienteret indsats …",
            ),
            partners: &[
                "Områdefornyelsen",
                "den boligsociale helhedsplan",
                "civilsamfundet",
            ],
            sub_goals: &["sub-1.2", "sub-2.3"],
        },
    ];
    let placement = |id: &str| -> Areas {
        match id {
            "ini-socialraadgivere-laegepraksis" => first_n(3),
            "ini-ips-sydhavn" => area(0),
            "ini-omraadefornyelse" => area(1),
            "ini-negativ-social-kontrol" => area(2),
            "ini-abif" => first_n(2),
            _ => Areas::All,
        }
    };
    let p1 = Period {
        from: 2025,
        to: 2026,
    };
    let p2 = Period {
        from: 2027,
        to: 2028,
    };
    let v1: Vec<Initiative> = list
        .iter()
        .map(|i| {
            let (status, extra) = if i.id == "ini-ord" {
                (
                    InitiativeStatus::Completed,
                    " Politikken omtaler ORD i datid («Projektet ORD bestod af …»).",
                )
            } else {
                (InitiativeStatus::Running, "")
            };
            initiative(i, placement(i.id), p1, status, extra)
        })
        .collect();
    let mut v2: Vec<Initiative> = Vec::new();
    for i in &list {
        let v2note = " Version 2 er illustrativ: den viser, hvordan en revision ser ud.";
        match i.id {
            "ini-ord" => {} // completed in version 1, dropped in version 2
            "ini-omraadefornyelse" => {
                let mut x = initiative(i, first_n(2), p2, InitiativeStatus::Running, v2note);
                x.description.push_str(" Udvidet til endnu et område.");
                v2.push(x);
            }
            _ => v2.push(initiative(
                i,
                placement(i.id),
                p2,
                InitiativeStatus::Running,
                v2note,
            )),
        }
        if i.id == "ini-abif" {
            v2.push(initiative(
                &Ini {
                    id: "ini-abif-klub",
                    name: "Aktive Børn i Forening – klub (ABIF KLUB)",
                    description: "ABIF på klub- og ungeområdet for børn og unge i 4.–9. klasse i to udsatte boligområder.",
                    owner: KulturFritid,
                    owner_quote: Some("I 2025 igangsætter forvaltningen ABIF på klub- og ungeområdet (ABIF KLUB) …"),
                    partners: &["Børne- og Ungdomsforvaltningen", "klubberne"],
                    sub_goals: &["sub-1.3", "sub-2.2"],
                },
                first_n(2),
                p2,
                InitiativeStatus::Running,
                v2note,
            ));
        }
    }
    let action_plans = vec![
        ActionPlanVersion {
            id: "ap-2025".into(),
            plan: "handleplan".into(),
            version: 1,
            name: "Fælles handleplan 2025–2026".into(),
            period: p1,
            policy_id: "policy-2025".into(),
            initiatives: v1,
            illustrative: true,
            source: format!(
                "{POLICY}: «vil vi udarbejde en samlet handleplan som opfølgning på Politik for udsatte byområder» (revideres hvert andet år). Handleplanens indhold er illustrativt: politikkens eksempler på indsatser."
            ),
        },
        ActionPlanVersion {
            id: "ap-2027".into(),
            plan: "handleplan".into(),
            version: 2,
            name: "Fælles handleplan 2027–2028".into(),
            period: p2,
            policy_id: "policy-2025".into(),
            initiatives: v2,
            illustrative: true,
            source: "kvarter: illustrativ revision af handleplanen (ORD afsluttet og taget ud, ABIF KLUB tilføjet, områdefornyelsen udvidet).".into(),
        },
    ];

    let orgs = [
        "Boligselskabet Nordlys (fiktiv)",
        "Andelsboligforeningen Havblik (fiktiv)",
        "Fællesbo Kanalen (fiktiv)",
    ];
    let levels = [Level::Estate, Level::Estate, Level::DistrictForum];
    let helhedsplaner = areas
        .iter()
        .take(3)
        .enumerate()
        .map(|(n, (aid, aname))| {
            let id = format!("hp-{aid}-2025");
            let c = format!("{id}-c1");
            let g = format!("{c}-g1");
            let ill = "kvarter: illustrativ, i formen fra politikkens eksempel (udfordring → mål → handlinger).";
            let actions = [
                ("Brobygning til jobcentre", "Beboere følges fra helhedsplanens rådgivning til jobcentret."),
                ("Jobvejledning for unge", "Vejledning om fritidsjob, uddannelse og job for unge 15–25 år."),
                ("Lommepengejob", "Små betalte opgaver i afdelingen for unge 13–17 år."),
                ("Lektiecafé", "Frivillige hjælper skolebørn med lektier to eftermiddage om ugen."),
            ]
            .iter()
            .enumerate()
            .map(|(k, (name, desc))| HpAction {
                id: format!("{g}-a{}", k + 1),
                name: (*name).into(),
                description: (*desc).into(),
                illustrative: true,
                source: ill.into(),
            })
            .collect();
            Helhedsplan {
                id: id.clone(),
                area_id: aid.to_string(),
                name: format!("Boligsocial helhedsplan for {aname} 2025–2028"),
                housing_organisation: orgs[n].into(),
                level: levels[n],
                period: Period { from: 2025, to: 2028 },
                lbf_grant_dkk: [12_000_000, 9_600_000, 14_400_000][n],
                municipal_cofinancing_dkk: [3_000_000, 2_400_000, 3_600_000][n],
                challenges: vec![Challenge {
                    id: c.clone(),
                    text: "Mange beboere uden for beskæftigelse".into(),
                    goals: vec![HpGoal {
                        id: g.clone(),
                        text: "Beskæftigelsesfrekvens på københavnergennemsnittet".into(),
                        indicators: vec![Indicator {
                            id: format!("ind-{g}-a"),
                            name: "Andel uden for arbejde og uddannelse i området".into(),
                            measure: OutsideLabourShare,
                            areas: Areas::Listed(vec![aid.to_string()]),
                            population: Population::Estates,
                            data_source: String::new(),
                            direction: Down,
                            baseline: None,
                            target: Some(Target::CityAverage { year: 2028 }),
                            illustrative: true,
                            source: "kvarter: illustrativ; beskæftigelsesfrekvensen måles ved det nærmeste, outside_labour_share på boligområdets beboere mod resten af kommunen (lavere er bedre). Udgangspunktet tages fra data.".into(),
                        }],
                        actions,
                        illustrative: true,
                        source: ill.into(),
                    }],
                    illustrative: true,
                    source: ill.into(),
                }],
                illustrative: true,
                source: "kvarter: illustrativ helhedsplan på et syntetisk område; boligorganisationen er fiktiv, og Landsbyggefondens tilskud og kommunens medfinansiering er opdigtede beløb. Formen (4 år, LBF-tilskud, kommunal medfinansiering, tre niveauer) følger politikken og lovgivningen.".into(),
            }
        })
        .collect();
    Plans {
        policies: vec![policy],
        action_plans,
        helhedsplaner,
    }
}
