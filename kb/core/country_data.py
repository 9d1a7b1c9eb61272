"""Hand-kept country data: the ILO's member States by region, and names pycountry lacks (demonyms, abbreviations)."""

# ILO member States (and the occupied Palestinian territory) in the ILO's five regions, by ISO 3166-1 alpha-3.
REGION_MEMBERS: dict[str, tuple[str, ...]] = {
    "Africa": (
        "DZA",
        "AGO",
        "BEN",
        "BWA",
        "BFA",
        "BDI",
        "CPV",
        "CMR",
        "CAF",
        "TCD",
        "COM",
        "COG",
        "COD",
        "CIV",
        "DJI",
        "EGY",
        "GNQ",
        "ERI",
        "SWZ",
        "ETH",
        "GAB",
        "GMB",
        "GHA",
        "GIN",
        "GNB",
        "KEN",
        "LSO",
        "LBR",
        "LBY",
        "MDG",
        "MWI",
        "MLI",
        "MRT",
        "MUS",
        "MAR",
        "MOZ",
        "NAM",
        "NER",
        "NGA",
        "RWA",
        "STP",
        "SEN",
        "SYC",
        "SLE",
        "SOM",
        "ZAF",
        "SSD",
        "SDN",
        "TZA",
        "TGO",
        "TUN",
        "UGA",
        "ZMB",
        "ZWE",
    ),
    "Americas": (
        "ATG",
        "ARG",
        "BHS",
        "BRB",
        "BLZ",
        "BOL",
        "BRA",
        "CAN",
        "CHL",
        "COL",
        "CRI",
        "CUB",
        "DMA",
        "DOM",
        "ECU",
        "SLV",
        "GRD",
        "GTM",
        "GUY",
        "HTI",
        "HND",
        "JAM",
        "MEX",
        "NIC",
        "PAN",
        "PRY",
        "PER",
        "KNA",
        "LCA",
        "VCT",
        "SUR",
        "TTO",
        "USA",
        "URY",
        "VEN",
    ),
    "Arab States": (
        "BHR",
        "IRQ",
        "JOR",
        "KWT",
        "LBN",
        "OMN",
        "QAT",
        "SAU",
        "SYR",
        "ARE",
        "YEM",
        "PSE",
    ),
    "Asia and the Pacific": (
        "AFG",
        "AUS",
        "BGD",
        "BRN",
        "KHM",
        "CHN",
        "COK",
        "FJI",
        "IND",
        "IDN",
        "IRN",
        "JPN",
        "KIR",
        "KOR",
        "LAO",
        "MYS",
        "MDV",
        "MHL",
        "MNG",
        "MMR",
        "NPL",
        "NZL",
        "PAK",
        "PLW",
        "PNG",
        "PHL",
        "WSM",
        "SGP",
        "SLB",
        "LKA",
        "THA",
        "TLS",
        "TON",
        "TUV",
        "VUT",
        "VNM",
    ),
    "Europe and Central Asia": (
        "ALB",
        "ARM",
        "AUT",
        "AZE",
        "BLR",
        "BEL",
        "BIH",
        "BGR",
        "HRV",
        "CYP",
        "CZE",
        "DNK",
        "EST",
        "FIN",
        "FRA",
        "GEO",
        "DEU",
        "GRC",
        "HUN",
        "ISL",
        "IRL",
        "ISR",
        "ITA",
        "KAZ",
        "KGZ",
        "LVA",
        "LTU",
        "LUX",
        "MLT",
        "MDA",
        "MNE",
        "NLD",
        "MKD",
        "NOR",
        "POL",
        "PRT",
        "ROU",
        "RUS",
        "SMR",
        "SRB",
        "SVK",
        "SVN",
        "ESP",
        "SWE",
        "CHE",
        "TJK",
        "TUR",
        "TKM",
        "UKR",
        "GBR",
        "UZB",
    ),
}

# Names, demonyms (en/fr/es, accents optional) and abbreviations that pycountry's names and translations miss;
# words that also name a language (French, español, Russian...) are left out on purpose.
# Lower-case entries match case-insensitively; entries in capitals (USA, DRC) match only as written.
EXTRA_NAMES = """
USA: USA, U.S.A., U.S., estados unidos, etats-unis, eeuu, EE.UU., EE. UU., estadounidense, americain
GBR: UK, U.K., britain, great britain, british, britannique, britanico, reino unido, royaume-uni, england
RUS: russia, russie, rusia
TUR: turkey, turkish, turquie, turc, turque, turquia, turco, turca, turkiye
SYR: syria, syrian, syrie, syrien, syrienne, siria, sirio, siria
KOR: south korea, korea, korean, coree du sud, coree, corea del sur, corea, coreano
VNM: vietnam, vietnamese, vietnamien, vietnamita
LAO: laos, lao pdr, lao, laotian, laotien
CIV: ivory coast, ivorian, ivoirien, ivoirienne, marfileno, costa de marfil
COD: DRC, RDC, dr congo, rd congo, democratic republic of congo, republique democratique du congo, republica democratica del congo
COG: congo-brazzaville, republic of congo
PSE: palestine, palestinian, occupied palestinian territory, oPt, gaza, west bank, palestinien, palestino, territoire palestinien occupe, territorio palestino ocupado
IRN: iran, iranian, iranien, irani
IRQ: iraqi, irakien, irak, iraki
OMN: omani
YEM: yemeni, yemenite
SAU: saudi arabia, saudi, KSA, arabie saoudite, saoudien, arabia saudita
ARE: UAE, U.A.E., emirates, emirati, EAU, emiratos arabes unidos, emirats arabes unis
QAT: qatari
KWT: kuwaiti, koweit, koweitien
BHR: bahraini
LBN: lebanese, libanais, libanes
EGY: egyptian, egyptien, egipcio
MAR: moroccan, marocain, marroqui
CHN: PRC
LKA: sri lankan
NPL: nepali, nepalese
MMR: burma, burmese, birman, birmano
THA: thailandais, tailandes
KHM: cambodian
PHL: filipino, filipina, filipinos, philippine, philippin
NLD: dutch, holland, pays-bas, paises bajos, neerlandais, neerlandes, holandes
CHE: swiss, suisse, suizo, suiza
GRC: greek, grec, grecque, griego
CZE: czech republic, czech, tcheque, checo
SVK: slovak, slovaque, eslovaco
POL: polish, polonais, polaco
SWE: swedish, suedois, sueco
DNK: danish, danois, danes
FIN: finnish, finlandais, finlandes
NOR: norwegian, norvegien, noruego
IRL: irish, irlandais, irlandes
HUN: hungarian, hongrois, hungaro
ISL: icelandic, islandais, islandes
BEL: belge, belga
KGZ: kyrgyz republic, kirghizistan, kirguistan, kirghiz, kirguis
AZE: azerbaijani, azeri
UKR: ukrainian, ukrainien, ucraniano
BLR: belarusian, bielorussie, bielorrusia
MKD: macedonia, macedonian
BIH: bosnia, bosnian
BRA: brazilian, bresilien, brasileno
PER: peruvian, peruvien, peruano
VEN: venezolano, venezolana
ECU: ecuatoriano, ecuatoriana
GTM: guatemalteco, guatemalteca
HND: honduran, hondureno, hondurena
SLV: salvadoran, salvadoreno, salvadorena
CRI: costa rican, costarricense
CUB: cuban, cubano, cubana, cubain
DOM: dominican republic, republica dominicana
CAN: canadiense
ZAF: south african, afrique du sud, sudafrica, sudafricano
MDG: malagasy, malgache
MOZ: mozambican, mozambicain, mozambiqueno
BWA: motswana, batswana
LSO: basotho
SWZ: swaziland, swazi
SSD: south sudanese
SOM: somali
CPV: cape verde, cape verdean
BFA: burkina, burkinabe
MLI: malian, malien, maliense
NER: nigerien
TCD: chadian, tchadien
TGO: togolese, togolais
CAF: centrafrique, centrafricain
SLE: sierra leonean
SYC: seychellois
COM: comorian
TLS: east timor, timorese
BRN: brunei
MDV: maldivian
SGP: singaporean
PNG: PNG
"""
