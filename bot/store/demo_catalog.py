"""What the demo store sells and how it runs: product lines, policies, shipping, payments."""

from __future__ import annotations

from dataclasses import dataclass

APPAREL_SIZES = ("XS", "S", "M", "L", "XL", "XXL")
SHOE_SIZES = tuple(str(s) for s in range(38, 47))
ONE_SIZE = ("OS",)


@dataclass(frozen=True)
class ProductLine:
    """A kind of product the store sells in several models."""

    category: str
    kind: str
    brands: tuple[str, ...]
    price_range: tuple[int, int]
    sizes: tuple[str, ...]
    colours: tuple[str, ...]
    features: tuple[str, ...]


def _line(
    category: str,
    kind: str,
    brands: str,
    low: int,
    high: int,
    sizes: tuple[str, ...],
    colours: str,
    features: str,
) -> ProductLine:
    return ProductLine(
        category,
        kind,
        tuple(brands.split(",")),
        (low, high),
        sizes,
        tuple(colours.split()),
        tuple(features.split(",")),
    )


PRODUCT_LINES: tuple[ProductLine, ...] = (
    _line(
        "running",
        "Running Shoes",
        "Nike,Adidas,Asics,Brooks,New Balance",
        60,
        180,
        SHOE_SIZES,
        "black white blue red grey",
        "cushioned,lightweight,breathable mesh,neutral support",
    ),
    _line(
        "running",
        "Trail Running Shoes",
        "Salomon,Asics,Brooks,Merrell",
        80,
        190,
        SHOE_SIZES,
        "black green grey orange",
        "grippy outsole,waterproof,rock plate,lightweight",
    ),
    _line(
        "running",
        "Running Shorts",
        "Nike,Adidas,Under Armour,Lululemon",
        20,
        65,
        APPAREL_SIZES,
        "black navy grey blue",
        "quick-dry,zip pocket,built-in liner,reflective",
    ),
    _line(
        "running",
        "Running Jacket",
        "Nike,Adidas,Brooks,The North Face",
        50,
        160,
        APPAREL_SIZES,
        "black yellow blue red",
        "windproof,water-repellent,reflective,packable",
    ),
    _line(
        "hiking",
        "Hiking Boots",
        "Salomon,Merrell,Columbia,The North Face",
        90,
        230,
        SHOE_SIZES,
        "brown black grey",
        "waterproof,ankle support,Vibram sole,leather",
    ),
    _line(
        "hiking",
        "Hiking Backpack",
        "Osprey,The North Face,Patagonia,Columbia",
        45,
        220,
        ONE_SIZE,
        "black green blue orange",
        "hydration sleeve,rain cover,ventilated back,hip belt",
    ),
    _line(
        "hiking",
        "Rain Jacket",
        "Patagonia,The North Face,Columbia,Salomon",
        80,
        300,
        APPAREL_SIZES,
        "red blue black yellow green",
        "waterproof,breathable,sealed seams,packable hood",
    ),
    _line(
        "camping",
        "Tent",
        "The North Face,Columbia,Osprey",
        120,
        450,
        ONE_SIZE,
        "green orange grey",
        "2-person,3-season,freestanding,lightweight",
    ),
    _line(
        "camping",
        "Sleeping Bag",
        "The North Face,Patagonia,Columbia",
        70,
        320,
        ONE_SIZE,
        "blue green red",
        "down fill,3-season,compressible,water-resistant",
    ),
    _line(
        "camping",
        "Camping Stove",
        "Columbia,Osprey",
        35,
        140,
        ONE_SIZE,
        "black grey",
        "compact,fast boil,wind shield,piezo igniter",
    ),
    _line(
        "cycling",
        "Bike Helmet",
        "Giro,Specialized,Nike",
        40,
        220,
        ("S", "M", "L"),
        "black white red blue",
        "MIPS,ventilated,adjustable fit,lightweight",
    ),
    _line(
        "cycling",
        "Cycling Jersey",
        "Castelli,Specialized,Adidas",
        40,
        140,
        APPAREL_SIZES,
        "black red blue yellow",
        "race fit,full zip,rear pockets,breathable",
    ),
    _line(
        "cycling",
        "Cycling Gloves",
        "Castelli,Giro,Specialized",
        15,
        60,
        ("S", "M", "L", "XL"),
        "black red",
        "padded palm,touchscreen tips,breathable,gel inserts",
    ),
    _line(
        "swimming",
        "Swim Goggles",
        "Speedo,Arena,Adidas",
        12,
        45,
        ONE_SIZE,
        "black blue clear pink",
        "anti-fog,UV protection,mirrored lens,adjustable strap",
    ),
    _line(
        "swimming",
        "Swimsuit",
        "Speedo,Arena,Adidas,Nike",
        25,
        90,
        APPAREL_SIZES,
        "black navy blue red",
        "chlorine resistant,quick-dry,racerback,UPF 50",
    ),
    _line(
        "fitness",
        "Dumbbell Set",
        "Reebok,Under Armour,Adidas",
        40,
        250,
        ONE_SIZE,
        "black grey",
        "adjustable,rubber coated,anti-roll,compact",
    ),
    _line(
        "fitness",
        "Resistance Bands",
        "Reebok,Under Armour,Adidas,Nike",
        12,
        45,
        ONE_SIZE,
        "black red green blue",
        "5 levels,latex-free,door anchor,carry bag",
    ),
    _line(
        "fitness",
        "Training T-Shirt",
        "Nike,Under Armour,Adidas,Puma",
        18,
        55,
        APPAREL_SIZES,
        "black white grey blue red",
        "sweat-wicking,anti-odour,stretch,slim fit",
    ),
    _line(
        "yoga",
        "Yoga Mat",
        "Lululemon,Manduka,Adidas",
        25,
        130,
        ONE_SIZE,
        "purple black green blue pink",
        "non-slip,6mm cushioning,eco rubber,alignment lines",
    ),
    _line(
        "yoga",
        "Yoga Leggings",
        "Lululemon,Nike,Puma,Under Armour",
        35,
        120,
        APPAREL_SIZES,
        "black navy purple grey",
        "high waist,squat-proof,four-way stretch,pocket",
    ),
    _line(
        "clothing",
        "Hoodie",
        "Nike,Adidas,Puma,Patagonia,Champion",
        35,
        110,
        APPAREL_SIZES,
        "black grey navy green beige",
        "fleece lined,kangaroo pocket,organic cotton,relaxed fit",
    ),
    _line(
        "clothing",
        "Fleece Jacket",
        "Patagonia,The North Face,Columbia",
        50,
        180,
        APPAREL_SIZES,
        "black navy green beige",
        "recycled fleece,full zip,warm,lightweight",
    ),
    _line(
        "clothing",
        "Down Jacket",
        "Patagonia,The North Face,Columbia",
        120,
        380,
        APPAREL_SIZES,
        "black navy red green",
        "800-fill down,water-repellent,packable,hooded",
    ),
    _line(
        "footwear",
        "Sneakers",
        "Nike,Adidas,Puma,New Balance",
        55,
        160,
        SHOE_SIZES,
        "white black grey beige",
        "leather upper,cushioned,classic,everyday",
    ),
    _line(
        "footwear",
        "Sandals",
        "Teva,Merrell,Columbia",
        25,
        95,
        SHOE_SIZES,
        "black brown beige",
        "adjustable straps,quick-dry,cushioned footbed,grippy",
    ),
    _line(
        "accessories",
        "Sports Cap",
        "Nike,Adidas,Under Armour,Patagonia",
        15,
        40,
        ONE_SIZE,
        "black white navy beige",
        "adjustable,breathable,UPF 50,sweatband",
    ),
    _line(
        "accessories",
        "Water Bottle",
        "Hydro Flask,Nalgene,Osprey",
        12,
        55,
        ONE_SIZE,
        "blue black green pink white",
        "insulated,leak-proof,BPA-free,1 litre",
    ),
    _line(
        "accessories",
        "Sunglasses",
        "Oakley,Nike,Adidas",
        45,
        210,
        ONE_SIZE,
        "black white blue",
        "polarized,UV400,wrap-around,lightweight",
    ),
    _line(
        "electronics",
        "GPS Running Watch",
        "Garmin,Polar,Coros",
        150,
        600,
        ONE_SIZE,
        "black white blue",
        "GPS,heart rate,long battery,water resistant",
    ),
    _line(
        "electronics",
        "Fitness Tracker",
        "Garmin,Fitbit,Polar",
        50,
        180,
        ONE_SIZE,
        "black pink blue",
        "sleep tracking,heart rate,step counter,water resistant",
    ),
    _line(
        "electronics",
        "Wireless Sport Earbuds",
        "Jabra,Beats,Shokz",
        60,
        220,
        ONE_SIZE,
        "black white red",
        "sweat-proof,secure fit,noise cancelling,long battery",
    ),
)

MODEL_NAMES = (
    "Pro",
    "Air",
    "Trail",
    "Ultra",
    "Flex",
    "Lite",
    "Summit",
    "Tempo",
    "Edge",
    "Core",
    "Storm",
    "Glide",
    "Peak",
    "Motion",
    "Aero",
)

FIRST_NAMES = (
    "Maria",
    "James",
    "Aisha",
    "Lukas",
    "Sofia",
    "Chen",
    "Emma",
    "Noah",
    "Priya",
    "Oliver",
    "Fatima",
    "Mateo",
    "Hannah",
    "Kenji",
    "Zoe",
    "Liam",
    "Amara",
    "Jonas",
    "Isabella",
    "Omar",
    "Mia",
    "Daniel",
    "Elena",
    "Samuel",
    "Yara",
)
LAST_NAMES = (
    "Lopez",
    "Smith",
    "Khan",
    "Weber",
    "Rossi",
    "Wang",
    "Johnson",
    "Brown",
    "Patel",
    "Martin",
    "Haddad",
    "Garcia",
    "Schmidt",
    "Tanaka",
    "Dubois",
    "Murphy",
    "Okafor",
    "Berg",
    "Silva",
    "Farouk",
    "Novak",
    "Cohen",
    "Ivanova",
    "Mensah",
    "Nilsson",
)
CITIES = (
    ("Berlin", "DE", "10115"),
    ("Hamburg", "DE", "20095"),
    ("Munich", "DE", "80331"),
    ("Vienna", "AT", "1010"),
    ("Zurich", "CH", "8001"),
    ("Amsterdam", "NL", "1012"),
    ("Paris", "FR", "75001"),
    ("Madrid", "ES", "28001"),
    ("Milan", "IT", "20121"),
    ("Copenhagen", "DK", "1050"),
)
STREETS = (
    "Linden Street",
    "Harbour Road",
    "Market Square",
    "Park Avenue",
    "Mill Lane",
    "Station Road",
    "River Walk",
    "Garden Row",
    "Church Street",
    "Hill View",
)
CARRIERS = ("DHL", "UPS", "DPD", "GLS")

POLICIES: tuple[tuple[str, str, str, dict], ...] = (
    (
        "returns",
        "Returns",
        "You can return unworn items within {window_days} days of delivery for "
        "a refund to your original payment method or as store credit. Returns are free within the "
        "EU.",
        {"window_days": 30, "free_returns": True},
    ),
    (
        "warranty",
        "Warranty",
        "Every product carries a {months}-month warranty against "
        "manufacturing defects. Electronics are covered for {electronics_months} months. Wear and "
        "tear and accidental damage are not covered.",
        {"months": 24, "electronics_months": 24},
    ),
    (
        "price_match",
        "Price match",
        "If you find the same item cheaper at an authorised retailer "
        "within {days} days of buying it, we refund the difference. Marketplace sellers and "
        "clearance sales are excluded.",
        {"days": 14},
    ),
    (
        "invoices",
        "Invoices",
        "An invoice with VAT is e-mailed when your order ships. You can "
        "download it any time from 'My orders' in your account.",
        {},
    ),
    (
        "shipping",
        "Shipping",
        "We ship to {countries}. Orders placed before 2 pm on a working day "
        "leave our warehouse the same day.",
        {
            "countries": "Germany, Austria, Switzerland, the Netherlands, France, Spain, Italy and "
            "Denmark"
        },
    ),
    (
        "cancellation",
        "Cancellation",
        "You can cancel an order free of charge until it ships, and you get the whole amount "
        "back to the payment method you used. Once an order has shipped it can no longer be "
        "cancelled, but you can return it when it arrives: see our return policy.",
        {},
    ),
    (
        "contact",
        "Contact",
        "Our customer service team is here {hours}, in this chat, by e-mail at {email} (answered "
        "within one working day) and by phone on {phone}. This assistant answers any time.",
        {
            "hours": "Monday to Friday 8:00–18:00 and Saturday 9:00–14:00 (CET)",
            "email": "help@trailhead-outfitters.example",
            "phone": "+49 30 5557 1200",
        },
    ),
)

SHIPPING_OPTIONS: tuple[tuple[str, str, str, str | None, int, int], ...] = (
    ("standard", "Standard delivery", "4.95", "50.00", 2, 5),
    ("express", "Express delivery", "9.95", None, 1, 2),
    ("next_day", "Next-day delivery (order by 2 pm)", "14.95", None, 1, 1),
)

PAYMENT_METHODS: tuple[tuple[str, str, str], ...] = (
    ("card", "Credit or debit card (Visa, Mastercard, American Express)", ""),
    ("paypal", "PayPal", ""),
    ("apple_pay", "Apple Pay", "on Safari and iOS"),
    ("google_pay", "Google Pay", ""),
    ("klarna", "Klarna (pay in 30 days or in 3 instalments)", "for orders over 35.00"),
)
