package main

// gbRegions are the four countries of the United Kingdom with their ISO
// 3166-2:GB codes.
var gbRegions = []region{
	{"ENG", "England"}, {"NIR", "Northern Ireland"}, {"SCT", "Scotland"}, {"WLS", "Wales"},
}

// gbNationPrefixes maps national-number prefixes of geographic UK area codes
// to the nation outside England they serve; the longest matching prefix wins
// and every other geographic code is in England. 028 is Northern Ireland's
// single area code; the Scottish and Welsh codes are listed one by one.
var gbNationPrefixes = map[string]string{
	"28": "NIR",
	"29": "WLS",
	// Wales.
	"1239": "WLS", "1248": "WLS", "1267": "WLS", "1269": "WLS", "1286": "WLS",
	"1291": "WLS", "1341": "WLS", "1348": "WLS", "1352": "WLS", "1407": "WLS",
	"1437": "WLS", "1443": "WLS", "1446": "WLS", "1490": "WLS", "1492": "WLS",
	"1495": "WLS", "1497": "WLS", "1545": "WLS", "1547": "WLS", "1550": "WLS",
	"1554": "WLS", "1558": "WLS", "1559": "WLS", "1570": "WLS", "1591": "WLS",
	"1597": "WLS", "1600": "WLS", "1633": "WLS", "1639": "WLS", "1646": "WLS",
	"1650": "WLS", "1654": "WLS", "1656": "WLS", "1678": "WLS", "1685": "WLS",
	"1686": "WLS", "1690": "WLS", "1745": "WLS", "1758": "WLS", "1766": "WLS",
	"1792": "WLS", "1824": "WLS", "1834": "WLS", "1873": "WLS", "1874": "WLS",
	"1938": "WLS", "1970": "WLS", "1974": "WLS", "1978": "WLS", "1982": "WLS",
	"1994": "WLS",
	// Scotland.
	"131": "SCT", "141": "SCT",
	"1224": "SCT", "1236": "SCT", "1241": "SCT", "1250": "SCT", "1259": "SCT",
	"1261": "SCT", "1290": "SCT", "1292": "SCT", "1294": "SCT", "1301": "SCT",
	"1307": "SCT", "1309": "SCT", "1320": "SCT", "1324": "SCT", "1330": "SCT",
	"1333": "SCT", "1334": "SCT", "1337": "SCT", "1339": "SCT", "1340": "SCT",
	"1343": "SCT", "1346": "SCT", "1349": "SCT", "1350": "SCT", "1355": "SCT",
	"1356": "SCT", "1357": "SCT", "1358": "SCT", "1360": "SCT", "1361": "SCT",
	"1368": "SCT", "1369": "SCT", "1381": "SCT", "1382": "SCT", "1383": "SCT",
	"1387": "SCT", "1389": "SCT", "1397": "SCT", "1408": "SCT", "1431": "SCT",
	"1436": "SCT", "1445": "SCT", "1450": "SCT", "1456": "SCT", "1461": "SCT",
	"1463": "SCT", "1464": "SCT", "1465": "SCT", "1466": "SCT", "1467": "SCT",
	"1470": "SCT", "1471": "SCT", "1475": "SCT", "1478": "SCT", "1479": "SCT",
	"1496": "SCT", "1499": "SCT", "1501": "SCT", "1505": "SCT", "1506": "SCT",
	"1520": "SCT", "1528": "SCT", "1540": "SCT", "1542": "SCT", "1546": "SCT",
	"1549": "SCT", "1555": "SCT", "1556": "SCT", "1557": "SCT", "1560": "SCT",
	"1561": "SCT", "1563": "SCT", "1567": "SCT", "1569": "SCT", "1571": "SCT",
	"1573": "SCT", "1575": "SCT", "1576": "SCT", "1577": "SCT", "1578": "SCT",
	"1581": "SCT", "1583": "SCT", "1586": "SCT", "1592": "SCT", "1593": "SCT",
	"1595": "SCT", "1599": "SCT", "1620": "SCT", "1631": "SCT", "1641": "SCT",
	"1644": "SCT", "1651": "SCT", "1655": "SCT", "1659": "SCT", "1667": "SCT",
	"1671": "SCT", "1674": "SCT", "1680": "SCT", "1681": "SCT", "1683": "SCT",
	"1687": "SCT", "1688": "SCT", "1698": "SCT", "1700": "SCT", "1721": "SCT",
	"1738": "SCT", "1750": "SCT", "1764": "SCT", "1770": "SCT", "1771": "SCT",
	"1776": "SCT", "1779": "SCT", "1786": "SCT", "1796": "SCT", "1806": "SCT",
	"1807": "SCT", "1808": "SCT", "1809": "SCT", "1821": "SCT", "1828": "SCT",
	"1835": "SCT", "1838": "SCT", "1847": "SCT", "1848": "SCT", "1851": "SCT",
	"1852": "SCT", "1854": "SCT", "1855": "SCT", "1856": "SCT", "1857": "SCT",
	"1859": "SCT", "1862": "SCT", "1863": "SCT", "1864": "SCT", "1866": "SCT",
	"1870": "SCT", "1871": "SCT", "1875": "SCT", "1876": "SCT", "1877": "SCT",
	"1878": "SCT", "1879": "SCT", "1880": "SCT", "1882": "SCT", "1887": "SCT",
	"1888": "SCT", "1890": "SCT", "1896": "SCT", "1899": "SCT", "1950": "SCT",
	"1951": "SCT", "1955": "SCT", "1957": "SCT", "1967": "SCT", "1968": "SCT",
	"1971": "SCT", "1972": "SCT", "1975": "SCT", "1997": "SCT",
}
