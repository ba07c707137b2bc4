#!/usr/bin/env python3
"""The table of documented error codes per smartag operation in docs/testing.md.

For every operation OpenSAG implements (a k<Action>Spec in src/ops/registry.cc) whose reference
entry (shared/reference/smartag-api.md, beside the checkout) documents error codes, it lists each
code with the unit test that reaches it: an EXPECT_API_ERROR line of tests/ops/*_test.cc whose call
names the action and whose status and Code are the documented ones. A code no test reaches must be
in NOT_REACHED with the reason.

  scripts/gen-ops-codes-doc.py          rewrite the table in docs/testing.md
  scripts/gen-ops-codes-doc.py --check  exit 1 when the table is stale or a code is neither
                                        reached nor explained (ctest: ops_codes_doc)
"""
import glob
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
REFERENCE = os.path.join(ROOT, "..", "shared", "reference", "smartag-api.md")
DOC = os.path.join(ROOT, "docs", "testing.md")
BEGIN = "<!-- ops-codes:begin (scripts/gen-ops-codes-doc.py) -->"
END = "<!-- ops-codes:end -->"

_NOT_YET = "belongs to a feature OpenSAG does not have yet"
_NO_CEN = "no CEN exists in OpenSAG: nothing can be bound to one"
_STORE = "a store failure answers InternalError or ServiceUnavailable (ops/store_errors.h)"
_NO_TAGS = "resource tags are not stored yet: a tag filter matches nothing and is not validated"
_NOT_PARAM = ("the action takes no Name, Description, CidrBlock or RoutingStrategy (the reference "
              "lists ModifySmartAccessGateway's codes for it)")
# (action, status, code) -> why no call can answer it.
NOT_REACHED = {
    ("ModifySmartAccessGatewayUpBandwidth", 400, "InvalidName"): _NOT_PARAM,
    ("ModifySmartAccessGatewayUpBandwidth", 400, "InvalidDescription"): _NOT_PARAM,
    ("ModifySmartAccessGatewayUpBandwidth", 403, "InvalidCidr"): _NOT_PARAM,
    ("ModifySmartAccessGatewayUpBandwidth", 400, "SAG.NotAllowConfigCidr"): _NOT_PARAM,
    ("ModifySmartAccessGatewayUpBandwidth", 400, "SAG.InvalidRoutingStrategy"): _NOT_PARAM,
    ("DeleteCloudConnectNetwork", 403, "InvalidId.CCN"):
        "an unknown CCN answers the code Terraform treats as already gone, 400 "
        "ParameterCcnInstanceId (docs/semantics.md)",
    ("UnbindSmartAccessGateway", 403, "SmartAccessGatewayNotBind"):
        "an instance not bound to the CCN answers the code Terraform treats as already detached, "
        "400 InvalidInstanceId.NotFound (docs/semantics.md)",
    ("ModifySmartAccessGateway", 403, "VbrConflict.ChangeSubnet"): _NOT_YET + " (VBR)",
    ("ModifySmartAccessGateway", 403, "VbrConflict.CreateBackup"): _NOT_YET + " (VBR)",
    ("ModifySmartAccessGateway", 400, "SAG.IpCountTooLittle"): _NOT_YET + " (SslConnectionSpec)",
    ("ModifySmartAccessGateway", 400, "SAG.SslConnectionSpecInvalid"):
        _NOT_YET + " (SslConnectionSpec)",
    ("ModifySmartAccessGateway", 400, "SAG.CcnCidrNoConfig"): _NOT_YET + " (CCN CIDR checks)",
    ("ModifySmartAccessGateway", 400, "SAG.CidrEmpty"):
        "an absent CidrBlock leaves the CIDR blocks as they are",
    ("ModifySmartAccessGateway", 400, "SAG.ConflictCidr.CcnSnatCidr"): _NOT_YET + " (SNAT)",
    ("ModifySmartAccessGateway", 400, "SAG.ConflictSnatIp"): _NOT_YET + " (SNAT)",
    ("ModifySmartAccessGateway", 400, "SAG.InvalidCidr"):
        "a malformed CidrBlock answers the other documented code, 403 InvalidCidr",
    ("ModifySmartAccessGateway", 400, "SAG.InvalidCidr.NoBelongCcnCidr"):
        _NOT_YET + " (CCN CIDR checks)",
    ("ModifySmartAccessGateway", 400, "SAG.InvalidSnatCidr"): _NOT_YET + " (SNAT)",
    ("ModifySmartAccessGateway", 400, "SAG.InvalidSnatIp"): _NOT_YET + " (SNAT)",
    ("ModifySmartAccessGateway", 400, "CCN.CidrEmpty"): _NOT_YET + " (CCN CIDR checks)",
    ("ModifySmartAccessGateway", 403, "SmartAccessGatewayNotBind"):
        "no modifiable field needs a CCN",
    ("ModifySmartAccessGateway", 400, "CCN.SnatCidrConflict"): _NOT_YET + " (SNAT)",
    ("ModifySmartAccessGateway", 400, "ActionNotSupport"):
        "every field applies to some instance type; a field of the other type is FeatureNotSupport",
    ("ModifySmartAccessGateway", 400, "CCN.SnatCidrNoConfig"): _NOT_YET + " (SNAT)",
    ("CreateCloudConnectNetwork", 400, "CCN.CidrEmpty"):
        "CidrBlock is optional (Terraform creates CCNs without one)",
    ("CreateCloudConnectNetwork", 400, "CCN.SnatCidrConflict"): _NOT_YET + " (SNAT)",
    ("DescribeCloudConnectNetworks", 400, "InvalidTagKey"): _NO_TAGS,
    ("DescribeCloudConnectNetworks", 400, "InvalidTagValue"): _NO_TAGS,
    ("DescribeCloudConnectNetworks", 400, "SizeLimitExceeded.TagNum"): _NO_TAGS,
    ("DescribeCloudConnectNetworks", 400, "SizeLimitExceeded.ResourceId"):
        "CcnId takes one id; there is no list to exceed",
    ("DescribeCloudConnectNetworks", 400, "Forbidden.TagKey.Duplicated"): _NO_TAGS,
    ("ModifyCloudConnectNetwork", 403, "UpdateError.CCN"):
        _STORE,
    ("ModifyCloudConnectNetwork", 400, "CCN.CidrEmpty"):
        "an absent CidrBlock leaves the CIDR blocks as they are",
    ("ModifyCloudConnectNetwork", 400, "CCN.CidrInUse"): _NOT_YET + " (CCN CIDR checks)",
    ("ModifyCloudConnectNetwork", 400, "CCN.InvalidSnatCidr"): _NOT_YET + " (SNAT)",
    ("ModifyCloudConnectNetwork", 400, "CCN.SnatCidrConflict"): _NOT_YET + " (SNAT)",
    ("ModifyCloudConnectNetwork", 400, "CCN.SnatCidrInUse"): _NOT_YET + " (SNAT)",
    ("ModifyCloudConnectNetwork", 400, "CCN.SnatCidrNoConfig"): _NOT_YET + " (SNAT)",
    ("ModifyCloudConnectNetwork", 400, "SAG.CcnCidrNoConfig"): _NOT_YET + " (CCN CIDR checks)",
    ("DeleteCloudConnectNetwork", 403, "AlreadyBound.CEN"): _NO_CEN,
    ("BindSmartAccessGateway", 500, "TunnelIdDistributeError"):
        "tunnels are not allocated: a bind is one store transaction",
    ("BindSmartAccessGateway", 403, "TunnelIdNotEnough"):
        "tunnels are not allocated: a bind is one store transaction",
    ("BindSmartAccessGateway", 500, "UpdateError.SMARTAG"):
        _STORE,
    ("UnbindSmartAccessGateway", 500, "SmartAccessGatewayNotActivated"):
        "only an Active instance can be bound, so every bound instance was activated",
    ("UnbindSmartAccessGateway", 403, "AlreadyBound.CEN"): _NO_CEN,
    ("DescribeRegions", 501, "InnerServiceFailed"):
        "the region list is built in; no inner service is called",
}


def documented_codes():
    """{action: [(status, code, message)]} from the reference's 'Documented error codes' tables."""
    ops, current, in_table = {}, None, False
    with open(REFERENCE, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            m = re.match(r"^#{3,4} ([A-Z][A-Za-z]+)\s*$", line)
            if m:
                current, in_table = m.group(1), False
                continue
            if current and line.startswith("Documented error codes"):
                in_table = True
                ops.setdefault(current, [])
                continue
            if in_table:
                row = re.match(r"^\| (\d{3}) \| ([^|]+?) \| (.*) \|$", line)
                if row:
                    ops[current].append((int(row.group(1)), row.group(2).strip(), row.group(3)))
                elif line.strip() and not line.startswith("|"):
                    in_table = False
    return {op: codes for op, codes in ops.items() if codes}


def implemented_actions():
    with open(os.path.join(ROOT, "src", "ops", "registry.cc"), encoding="utf-8") as f:
        return set(re.findall(r"\bk([A-Za-z]+)Spec\b", f.read()))


def reached_codes(actions):
    """{(action, status, code): ["`Suite.Name` (file)", ...]} from tests/ops/*_test.cc: the action
    is the first string naming an implemented action in the EXPECT_API_ERROR's call, or in the
    body of the file's helper returning a CallOutcome that the line calls."""
    reached = {}
    names = r'"([A-Z][A-Za-z]+)"'
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "ops", "*_test.cc"))):
        text = open(path, encoding="utf-8").read()
        helpers = {}
        for m in re.finditer(r"CallOutcome (\w+)\(", text):
            found = [a for a in re.findall(names, text[m.end():m.end() + 1500]) if a in actions]
            if found:
                helpers[m.group(1)] = found[0]
        tests = [(m.start(), f"{m.group(1)}.{m.group(2)}")
                 for m in re.finditer(r"^TEST(?:_F)?\((\w+), (\w+)\)", text, re.M)]
        for m in re.finditer(r"EXPECT_API_ERROR\(", text):
            tail = text[m.end():m.end() + 2000]
            code = re.search(r',\s*(\d{3}),\s*"([^"]+)",', tail)
            owner = [name for start, name in tests if start < m.start()]
            if not code or not owner:
                continue
            call = tail[:code.start()]
            first = re.match(r"\s*(?:\w+\.)*(\w+)\(", call)
            found = [a for a in re.findall(names, call) if a in actions]
            if found and first and first.group(1) in ("Call", "CallAs"):
                action = found[0]
            elif first and first.group(1) in helpers:
                action = helpers[first.group(1)]
            else:
                continue
            key = (action, int(code.group(1)), code.group(2))
            where = f"`{owner[-1]}` ({os.path.basename(path)})"
            if where not in reached.setdefault(key, []):
                reached[key].append(where)
    return reached


def table():
    docs, impl = documented_codes(), implemented_actions()
    reached = reached_codes(impl)
    lines, missing, counts = [], [], [0, 0]
    lines.append("| Operation | HTTP | Code | Reached by |")
    lines.append("|---|---|---|---|")
    for op in sorted(o for o in docs if o in impl):
        for status, code, _ in docs[op]:
            key = (op, status, code)
            if key in reached:
                counts[0] += 1
                lines.append(f"| {op} | {status} | `{code}` | {', '.join(reached[key])} |")
            elif key in NOT_REACHED:
                counts[1] += 1
                lines.append(f"| {op} | {status} | `{code}` | not reachable: {NOT_REACHED[key]} |")
            else:
                missing.append(f"{op} {status} {code}")
    documented = {(op, status, code) for op in docs if op in impl for status, code, _ in docs[op]}
    for key in sorted(NOT_REACHED):
        if key in reached:
            missing.append("%s %d %s: reached by a test, yet in NOT_REACHED" % key)
        elif key not in documented:
            missing.append("%s %d %s: in NOT_REACHED, not documented" % key)
    head = (f"{sum(counts)} documented codes of {len([o for o in docs if o in impl])} "
            f"operations: {counts[0]} reached by a unit test, {counts[1]} not reachable (why "
            "below).")
    return "\n".join([head, ""] + lines), missing


def main():
    body, missing = table()
    doc = open(DOC, encoding="utf-8").read()
    if BEGIN not in doc or END not in doc:
        sys.exit(f"{DOC} has no {BEGIN} ... {END} block")
    before, rest = doc.split(BEGIN, 1)
    after = rest.split(END, 1)[1]
    new_doc = before + BEGIN + "\n" + body + "\n" + END + after
    if missing:
        print("documented codes no tests/ops test reaches that NOT_REACHED does not explain:",
              file=sys.stderr)
        for m in missing:
            print("  " + m, file=sys.stderr)
    if "--check" in sys.argv:
        if new_doc != doc:
            print("docs/testing.md is stale: run scripts/gen-ops-codes-doc.py", file=sys.stderr)
        sys.exit(1 if missing or new_doc != doc else 0)
    with open(DOC, "w", encoding="utf-8") as f:
        f.write(new_doc)
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main()
