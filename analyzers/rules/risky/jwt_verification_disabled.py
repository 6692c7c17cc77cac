"""RSK010: a JWT decoded without verifying its signature."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import PositionProvider, QualifiedNameProvider

from undertow.analyzers.core.findings import Severity
from undertow.analyzers.python.names import has_star_kwargs, keyword, qualified_names
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.python_rule import ScopedPythonRule

_DECODERS = {"jwt.decode", "jwt.api_jwt.decode", "jose.jwt.decode", "jwt.PyJWT.decode"}


class JwtVerificationDisabled(ScopedPythonRule):
    """## What it does
    Flags `jwt.decode(...)` (PyJWT, python-jose) with `options={"verify_signature": False}`,
    `verify=False`, or without `algorithms=`.

    ## Why is this bad?
    A token whose signature is not verified can be forged by anyone: change `"sub"` or
    `"role"`, re-encode, and the API trusts it. Without an explicit `algorithms` list an
    attacker may choose the algorithm (`none`, or HS256 keyed with the public key).

    ## Example
    ```python
    claims = jwt.decode(token, options={"verify_signature": False})
    ```

    ## Use instead
    ```python
    claims = jwt.decode(token, settings.jwt_secret, algorithms=["HS256"])
    ```
    """

    id = "RSK010"
    name = "jwt-verification-disabled"
    severity = Severity.ERROR
    fix = "verify the signature: jwt.decode(token, key, algorithms=[...])"
    METADATA_DEPENDENCIES = (PositionProvider, QualifiedNameProvider)

    def visit_Call(self, node: cst.Call) -> None:
        names = qualified_names(self, node.func)
        if not names & _DECODERS:
            return
        problem = None
        options = keyword(node, "options")
        if options is not None and _disables_signature(options.value):
            problem = 'options={"verify_signature": False} turns signature verification off'
        verify = keyword(node, "verify")
        if verify is not None and isinstance(verify.value, cst.Name) and verify.value.value == "False":
            problem = "verify=False turns signature verification off"
        # algorithms is the third positional parameter of PyJWT's and python-jose's decode().
        positional = [a for a in node.args if a.keyword is None and not a.star]
        algorithms_given = keyword(node, "algorithms") is not None or len(positional) >= 3
        if problem is None and not algorithms_given and not has_star_kwargs(node):
            problem = "no algorithms= list is given, so the token chooses how it is checked"
        if problem is None:
            return
        message = f"jwt.decode(): {problem}; anyone can forge a token this code accepts; {self.fix}"
        self.report(node, message, key=self.scope.key("jwt.decode"))


def _disables_signature(node: cst.BaseExpression) -> bool:
    if not isinstance(node, cst.Dict):
        return False
    for element in node.elements:
        if (
            isinstance(element, cst.DictElement)
            and isinstance(element.key, cst.SimpleString)
            and element.key.evaluated_value == "verify_signature"
            and isinstance(element.value, cst.Name)
            and element.value.value == "False"
        ):
            return True
    return False


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

INVALID = [
    Case(
        head={"auth.py": "import jwt\na = jwt.decode(tok, options={'verify_signature': False})\n"},
        expect=[("RSK010", "auth.py", 2)],
    ),
    Case(head={"auth.py": "import jwt\nb = jwt.decode(tok, KEY)\n"}, expect=[("RSK010", "auth.py", 2)]),
]
VALID = [
    Case(head={"auth.py": "import jwt\nok = jwt.decode(tok, KEY, algorithms=['HS256'])\n"}),
    Case(head={"auth.py": "import jwt\nok = jwt.decode(tok, KEY, ['HS256'])\n"}),  # positional, seen on a real project
]
