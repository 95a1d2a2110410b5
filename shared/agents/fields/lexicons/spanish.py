"""Spanish (español)."""

from __future__ import annotations

import re

from shared.agents.fields.lexicons.lexicon import Lexicon

_I = re.IGNORECASE
_UNITS = (
    "cero uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince dieciséis "
    "diecisiete dieciocho diecinueve veinte veintiuno veintidós veintitrés veinticuatro veinticinco "
    "veintiséis veintisiete veintiocho veintinueve"
)
_NUMBERS = {word: value for value, word in enumerate(_UNITS.split())}
# Whisper writes some without accents; "un"/"una" for one.
_NUMBERS |= {"dieciseis": 16, "veintidos": 22, "veintitres": 23, "veintiseis": 26, "un": 1, "una": 1}
_NUMBERS |= {"treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70, "ochenta": 80}
_NUMBERS |= {"noventa": 90, "cien": 100, "ciento": 100, "doscientos": 200, "trescientos": 300}
_NUMBERS |= {"cuatrocientos": 400, "quinientos": 500, "seiscientos": 600, "setecientos": 700}
_NUMBERS |= {"ochocientos": 800, "novecientos": 900, "mil": 1000}

_COMMON = """a al el la los las un una unos unas y o pero si en de del con por para sobre como que qué
    aquí allí este esta esto ese esa eso yo me mi mis mío nosotros nuestro usted ustedes su sus él ella ellos
    es soy son era fue ser estar estoy está están hay tengo tiene tenemos puede puedo quiero necesito
    no sí si bueno bien vale claro ya ahora entonces también solo muy más hola gracias por favor llamo
    llamando llamada ayuda problema urgente emergencia agua tubería baño cocina casa oficina mensaje
    lunes martes miércoles jueves viernes sábado domingo hoy mañana noche tarde
    enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre
    calle avenida camino carretera número teléfono nombre llamo"""

# Words just before a spoken hour that make it a time ("a las seis de la mañana"): clock_text.py
_HOUR_LEADS = "a las la de desde hasta entre sobre hacia abrimos cerramos abre cierra"

SPANISH = Lexicon(
    language="es",
    numbers=_NUMBERS,
    multipliers=frozenset({"mil"}),
    zero_letters=frozenset(),
    repeats={"doble": 2, "triple": 3},
    yes=re.compile(
        r"(?<!\w)(sí|si|claro|correcto|exacto|así es|eso es|de acuerdo|vale|bueno|perfecto|está bien|"
        r"por supuesto|desde luego|con gusto|soy yo|yo soy|ajá|aja)(?!\w)",
        _I,
    ),
    no=re.compile(
        r"(?<!\w)(no|nop|incorrecto|equivocado|espere|cambie|cambiar|en realidad|más bien|otro|otra|"
        r"no es correcto|no está bien)(?!\w)",
        _I,
    ),
    not_no=re.compile(r"(?<!\w)no (hay|pasa nada|se preocupe|hay problema)(?!\w)", _I),
    dont_know=re.compile(
        r"(?<!\w)(no (lo )?sé|no sabría|no estoy segur[oa]|ni idea|no me acuerdo|no recuerdo|tendría que ver)(?!\w)",
        _I,
    ),
    refuse=re.compile(
        r"(?<!\w)(prefiero no|no (le )?puedo (decir|dar)|no damos esa información|no es asunto suyo)(?!\w)", _I
    ),
    negated_before=re.compile(r"(?<!\w)(no|nunca|nada)(?!\w)(\s+(es|un|una|muy|tan|para nada))*\s*$", _I),
    this_number=re.compile(
        r"(?<!\w)(este|el mismo|mismo) (número|teléfono)(?!\w)"
        r"|(?<!\w)(desde el que|del que) (le )?(llamo|estoy llamando)",
        _I,
    ),
    weekdays={
        "lunes": 0,
        "martes": 1,
        "miércoles": 2,
        "miercoles": 2,
        "jueves": 3,
        "viernes": 4,
        "sábado": 5,
        "sabado": 5,
        "domingo": 6,
    },
    months={
        "enero": 1,
        "febrero": 2,
        "marzo": 3,
        "abril": 4,
        "mayo": 5,
        "junio": 6,
        "julio": 7,
        "agosto": 8,
        "septiembre": 9,
        "setiembre": 9,
        "octubre": 10,
        "noviembre": 11,
        "diciembre": 12,
    },
    relative_days={"pasado mañana": 2, "hoy": 0, "esta noche": 0, "mañana": 1},
    next_words=frozenset({"próximo", "proximo", "que viene", "este", "esta"}),
    noon=frozenset({"mediodía", "mediodia"}),
    midnight=frozenset({"medianoche"}),
    morning=re.compile(r"(?<!\w)(de la mañana|por la mañana|a\.?m\.?)(?!\w)", _I),
    evening=re.compile(r"(?<!\w)(de la tarde|por la tarde|de la noche|por la noche|p\.?m\.?)(?!\w)", _I),
    half=re.compile(r"(?<!\w)y media(?!\w)", _I),
    quarter_past=re.compile(r"(?<!\w)y cuarto(?!\w)", _I),
    quarter_to=re.compile(r"(?<!\w)menos cuarto(?!\w)", _I),
    time_lead=re.compile(r"(?<!\w)(a las|a la|sobre las|hacia las|desde las|después de las|antes de las)\s*$", _I),
    explicit_name=re.compile(r"(?<!\w)(?:mi nombre es|el nombre es|me llamo|me llaman|se llama)\s+(.+)", _I),
    implicit_name=re.compile(r"(?<!\w)(?:soy|habla|le habla|aquí|aqui)\s+(.+)", _I),
    name_filler=re.compile(
        r"^(?:(?:sí|si|claro|bueno|pues|eh+|este|hola|mire|vale|soy|mi nombre es|me llamo)\b[\s,.!]*)+", _I
    ),
    name_intro_then=re.compile(r"^(?:mi nombre es|me llamo|soy|le habla)\s+(?:[\w'\-]+\s+){1,3}?y\s+", _I),
    common_words=frozenset(_COMMON.split()),
    street_suffix=r"(?i:calle|avenida|av|camino|carretera|paseo|plaza|boulevard|bulevar|street|st|avenue|ave|road|rd|drive|dr|lane)",
    address_lead=re.compile(
        r"^(?:(?:sí|si|claro|bueno|pues|eh+|la dirección es|mi dirección es|estoy en|estamos en|vivo en|"
        r"vivimos en|es en|en)\b[\s,.!]*)+",
        _I,
    ),
    currency_words={"dólares": "USD", "dolares": "USD", "dólar": "USD", "pesos": "MXN", "euros": "EUR"},
    currency_names={"USD": "dólares", "CAD": "dólares", "EUR": "euros", "MXN": "pesos", "GBP": "libras"},
    cents_words=frozenset({"centavos", "céntimos"}),
    weekday_names=("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    month_names=(
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ),
    date_format="el {weekday} {day} de {month}",
    time_format="las {hour}{minutes} {period}",
    periods=("de la mañana", "de la tarde", "de la noche"),
    and_word="y",
    hour_periods={
        "de la mañana": "AM",
        "por la mañana": "AM",
        "de la madrugada": "AM",
        "de la tarde": "PM",
        "por la tarde": "PM",
        "de la noche": "night",
        "por la noche": "night",
    },
    hour_leads=frozenset(_HOUR_LEADS.split()),
    range_words=("a", "a las", "a la", "hasta", "hasta las", "hasta la"),  # the first is said between two times
)
