"""DEP002 follows `from x import *` re-exports instead of going quiet on any star import."""

from tests.gitrepo import findings, only

BASE = {
    "shop/__init__.py": "",
    "shop/billing/__init__.py": "from .invoices import *\nfrom .refunds import *\n",
    "shop/billing/invoices.py": "from .taxes import *\n\nclass Invoice:\n    pass\n",
    "shop/billing/taxes.py": "VAT_RATE = 0.2\n\ndef vat(amount):\n    return amount * VAT_RATE\n",
    "shop/billing/refunds.py": "def refund(invoice):\n    return invoice\n",
    "shop/compat.py": "try:\n    from ujson import *\nexcept ImportError:\n    from json import *\n",
}


def test_a_name_no_re_exported_module_defines_is_reported(make_pr, capsys):
    pr = {
        "shop/api.py": (
            "from shop.billing import Invoice, refund\n"
            "from shop.billing import vat, VAT_RATE\n"  # two star hops away
            "from shop.billing import Receipt\n"
        ),
    }
    doc = make_pr(BASE, pr).scan_json(capsys)
    assert findings(doc, "DEP002") == [("DEP002", "shop/api.py", 3)]
    assert only(doc, "DEP002")[0]["message"].startswith(
        "shop/api.py imports shop.billing.Receipt, but shop/billing/__init__.py defines no Receipt "
        "(nor does shop.billing.invoices, shop.billing.taxes, shop.billing.refunds, which it re-exports with *) at head"
    )


def test_a_star_import_of_a_third_party_or_unknown_module_stays_quiet(make_pr, capsys):
    base = {**BASE, "shop/legacy.py": "from .broken import *\n", "shop/broken.py": "def (:\n"}
    pr = {"shop/api.py": "from shop.compat import loads\nfrom shop.legacy import anything\n"}
    assert only(make_pr(base, pr).scan_json(capsys), "DEP002") == []


def test_a_star_cycle_ends(make_pr, capsys):
    base = {"pkg/__init__.py": "from .a import *\n", "pkg/a.py": "from pkg import *\nA = 1\n"}
    doc = make_pr(base, {"pkg/use.py": "from pkg import A\nfrom pkg import B\n"}).scan_json(capsys)
    assert findings(doc, "DEP002") == [("DEP002", "pkg/use.py", 2)]
