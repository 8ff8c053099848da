#!/usr/bin/env python3
"""A small, independent model of the CloudFormation operations a migration uses.

It shares no code or data with cfnsplit: the rules (cfn_rules.py, cfn_nesting.py) are written
down again from the documentation (sources beside each), so that a mistake in cfnsplit's
rules/refactor.yaml or in its planner is caught here rather than repeated.

Stacks are sets of resources with physical IDs. Operations:
- create / update: resources added are created (a fixed physical name that already exists fails),
  removed ones are deleted (DeletionPolicy Retain: kept, unmanaged), changed ones updated in
  place unless their name property or a Lambda PackageType changes (replacement);
- refactor: 2-5 stacks, moves only (no resource created, deleted or changed; no parameter,
  condition or mapping added or changed; no empty stack; deny-listed types and resources that read
  AWS::StackName/StackId/NotificationARNs do not move);
- import: only retained resources of importable types, each with a DeletionPolicy, nothing else
  created, deleted or changed;
- import of a stack into a parent (nesting an existing stack, UserGuide
  resource-import-nested-stacks.html): an AWS::CloudFormation::Stack resource identified by the
  StackId of an existing stack; one level of nesting only (the parent is no nested child, the
  imported stack is not nested already and has no children of its own); the stack resource's
  TemplateURL names a template equal to the stack's current one, and (so that the import changes
  nothing) the Parameters it passes equal the stack's parameter values; a DeletionPolicy, as for
  every import. The stack is then a nested child of the parent (changed only through it).
Nested stacks: an AWS::CloudFormation::Stack resource creates or updates its child from the
template its TemplateURL names (every update of the parent re-deploys the child from there) with
the Parameters it passes; GetAtt Child.Outputs.X reads the child's output; removing the resource
deletes the child unless it is retained (DeletionPolicy Retain: the child stays as a stack of
its own, UserGuide aws-attribute-deletionpolicy.html). A nested child is changed only through
its parent (update-stack and delete-stack on it are refused here), and a refactor may not
change a parent's stack resources (stack-refactoring.html: moves only).
Every template is held to the quotas (500 resources, 200 outputs, 200 parameters, 200 mappings,
51,200 bytes for a body, 1,000,000 by URL); exports are unique and cannot change or go while
another stack imports them.
"""
import json

from cfn_rules import (  # noqa: F401  (Fail and the constants are part of this module's interface)
    ACCOUNT, BODY_BYTES, IMPORTABLE, NAME_PROPERTY, NO_VALUE, QUOTAS, REFACTOR_DENY, REGION,
    STACK_PSEUDO, STACK_TYPE, URL_BYTES, Fail, is_custom, mentions)
from cfn_nesting import Nesting


class Resource:
    """One real resource. `uid` names this very incarnation: a resource deleted and created
    again under the same fixed name has the same physical ID but a new uid (its data is gone)."""
    uids = 0

    def __init__(self, rtype, phys, props, policy, uid=None):
        self.type, self.phys, self.props, self.policy = rtype, phys, props, policy
        if uid is None:
            Resource.uids += 1
            uid = Resource.uids
        self.uid = uid


class Stack:
    def __init__(self, name, template, params):
        self.name, self.template, self.params = name, template, params
        self.resources = {}  # logical ID -> Resource
        self.exports = {}    # export name -> value
        self.outputs = {}    # output key -> value (GetAtt Child.Outputs.X of a nested child)
        self.imports = set()
        self.nested_in = None  # the parent stack's name while this stack is a nested child


class Cloud(Nesting):
    def __init__(self):
        self.stacks = {}
        self.retained = {}   # physical ID -> Resource (out of every stack)
        self.last_seen = {}  # (stack, logical ID) -> physical ID
        self.counter = 0
        self.log = []
        self.objects = {}   # TemplateURL -> template (what S3 holds)
        self.child_of = {}  # (parent stack, stack resource) -> child stack name
        self.stack_ids = {}  # stack name -> StackId (ARN), given at creation

    # ---------- evaluation ----------
    def exported(self, name, skip=None, pending=None, involved=()):
        if pending is not None and name in pending:
            return pending[name]
        for s in self.stacks.values():
            if s.name != skip and s.name not in involved and name in s.exports:
                return s.exports[name]
        raise Fail(f"No export named {name} found")

    def evaluate(self, v, ctx):
        if isinstance(v, list):
            out = [self.evaluate(x, ctx) for x in v]
            return [x for x in out if x is not NO_VALUE]
        if not isinstance(v, dict):
            return v
        if len(v) == 1:
            (k, a), = v.items()
            fn = getattr(self, "_fn_" + k.replace("::", "_"), None)
            if k == "Ref" or k.startswith("Fn::") or k == "Condition":
                if fn is None:
                    return {k: self.evaluate(a, ctx)}
                return fn(a, ctx)
        out = {}
        for k, x in v.items():
            r = self.evaluate(x, ctx)
            if r is not NO_VALUE:
                out[k] = r
        return out

    def _fn_Ref(self, a, ctx):
        if a in ctx["params"]:
            return ctx["params"][a]
        if a == "AWS::StackName":
            return ctx["stack"]
        if a == "AWS::StackId":
            return f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{ctx['stack']}/0"
        if a == "AWS::NotificationARNs":
            return []
        if a == "AWS::NoValue":
            return NO_VALUE
        pseudo = {"AWS::Region": REGION, "AWS::AccountId": ACCOUNT, "AWS::Partition": "aws",
                  "AWS::URLSuffix": "amazonaws.com"}
        if a in pseudo:
            return pseudo[a]
        if a in ctx["phys"]:
            return ctx["phys"][a]
        raise Fail(f"Unresolved resource dependencies [{a}] in {ctx['stack']}")

    def _fn_Fn_GetAtt(self, a, ctx):
        if isinstance(a, str):
            a = a.split(".", 1)
        name, attr = a[0], self.evaluate(a[1], ctx)
        if name in ctx.get("nested", ()):
            child = self.child_of.get((ctx["stack"], name))
            if child not in self.stacks:
                raise Fail(f"nested stack {name} of {ctx['stack']} not deployed yet")
            key = attr[len("Outputs."):] if attr.startswith("Outputs.") else None
            if key not in self.stacks[child].outputs:
                raise Fail(f"{ctx['stack']}: GetAtt {name}.{attr}: no such output of {child}")
            return self.stacks[child].outputs[key]
        if name not in ctx["phys"]:
            raise Fail(f"GetAtt of unknown resource {name} in {ctx['stack']}")
        return f"{ctx['phys'][name]}#{attr}"

    def _fn_Fn_Sub(self, a, ctx):
        text, local = (a, {}) if isinstance(a, str) else (a[0], self.evaluate(a[1], ctx))
        out, i = "", 0
        while True:
            j = text.find("${", i)
            if j < 0:
                return out + text[i:]
            k = text.find("}", j)
            out += text[i:j]
            name = text[j + 2:k]
            if name.startswith("!"):
                out += "${" + name[1:] + "}"
            elif name in local:
                out += str(local[name])
            elif "." in name and not name.startswith("AWS::"):
                out += str(self._fn_Fn_GetAtt(name.split(".", 1), ctx))
            else:
                out += str(self._fn_Ref(name, ctx))
            i = k + 1

    def _fn_Fn_Join(self, a, ctx):
        return self.evaluate(a[0], ctx).join(str(x) for x in self.evaluate(a[1], ctx))

    def _fn_Fn_Split(self, a, ctx):
        return self.evaluate(a[1], ctx).split(self.evaluate(a[0], ctx))

    def _fn_Fn_Select(self, a, ctx):
        return self.evaluate(a[1], ctx)[int(self.evaluate(a[0], ctx))]

    def _fn_Fn_If(self, a, ctx):
        return self.evaluate(a[1] if ctx["conditions"][a[0]] else a[2], ctx)

    def _fn_Fn_FindInMap(self, a, ctx):
        m, k1, k2 = (self.evaluate(x, ctx) for x in a[:3])
        return ctx["mappings"][m][k1][k2]

    def _fn_Fn_ImportValue(self, a, ctx):
        name = self.evaluate(a, ctx)
        ctx["imports"].add(name)
        return self.exported(name, skip=ctx["stack"], pending=ctx.get("pending"),
                             involved=ctx.get("involved", ()))

    def _fn_Fn_Base64(self, a, ctx):
        return "base64(" + str(self.evaluate(a, ctx)) + ")"

    def _fn_Fn_GetAZs(self, a, ctx):
        return [REGION + "a", REGION + "b"]

    def _fn_Fn_Equals(self, a, ctx):
        return self.evaluate(a[0], ctx) == self.evaluate(a[1], ctx)

    def _fn_Fn_Not(self, a, ctx):
        return not self.evaluate(a[0], ctx)

    def _fn_Fn_And(self, a, ctx):
        return all(self.evaluate(x, ctx) for x in a)

    def _fn_Fn_Or(self, a, ctx):
        return any(self.evaluate(x, ctx) for x in a)

    def _fn_Condition(self, a, ctx):
        return ctx["conditions"][a]

    # ---------- templates ----------
    @staticmethod
    def check_quotas(name, t, size=None, by_url=True):
        for section, limit in QUOTAS.items():
            if len(t.get(section, {})) > limit:
                raise Fail(f"{name}: {len(t.get(section, {}))} {section} > {limit}")
        if not t.get("Resources"):
            raise Fail(f"{name}: a stack needs at least one resource")
        size = size if size is not None else len(json.dumps(t, indent=2))
        if size > (URL_BYTES if by_url else BODY_BYTES):
            raise Fail(f"{name}: template of {size} bytes over the limit")

    def context(self, stack, t, params, phys):
        ctx = {"stack": stack, "params": {}, "phys": phys, "mappings": t.get("Mappings", {}),
               "conditions": {}, "imports": set(),
               "nested": {lid for lid, d in t["Resources"].items() if d.get("Type") == STACK_TYPE}}
        for p, d in t.get("Parameters", {}).items():
            if p in params:
                ctx["params"][p] = params[p]
            elif "Default" in d:
                ctx["params"][p] = d["Default"]
            else:
                raise Fail(f"{stack}: parameter {p} has no value")
            if d.get("Type", "String") in ("CommaDelimitedList",) or d.get("Type", "").startswith("List<"):
                ctx["params"][p] = [x.strip() for x in str(ctx["params"][p]).split(",")]
        pending = dict(t.get("Conditions", {}))
        for _ in range(len(pending) + 1):
            for c, expr in list(pending.items()):
                try:
                    ctx["conditions"][c] = bool(self.evaluate(expr, ctx))
                    del pending[c]
                except KeyError:
                    pass
        return ctx

    def resolve(self, stack, t, params, phys, pending_exports=None, involved=()):
        """Resolved properties of every resource, and the exports, of template `t`."""
        ctx = self.context(stack, t, params, phys)
        ctx["pending"] = pending_exports
        ctx["involved"] = involved
        props, exports, outputs = {}, {}, {}
        for lid, d in t["Resources"].items():
            if "Condition" in d and not ctx["conditions"][d["Condition"]]:
                continue
            for dep in ([d["DependsOn"]] if isinstance(d.get("DependsOn"), str) else d.get("DependsOn", [])):
                if dep not in t["Resources"]:
                    raise Fail(f"{stack}: DependsOn names no resource {dep}")
            props[lid] = self.evaluate(d.get("Properties", {}), ctx)
        for name, o in t.get("Outputs", {}).items():
            if "Condition" in o and not ctx["conditions"][o["Condition"]]:
                continue
            value = self.evaluate(o["Value"], ctx)
            outputs[name] = value
            if "Export" in o:
                ename = self.evaluate(o["Export"]["Name"], ctx)
                if ename in exports:
                    raise Fail(f"{stack}: export {ename} twice")
                exports[ename] = value
        self.last_outputs = outputs
        return props, exports, ctx["imports"]

    def new_phys(self, stack, lid, rtype, t, params, phys):
        prop = NAME_PROPERTY.get(rtype)
        d = t["Resources"][lid].get("Properties", {})
        if prop and prop in d:
            ctx = self.context(stack, t, params, phys)
            name = str(self.evaluate(d[prop], ctx))
            if any(r.phys == name and r.type == rtype for r in self.all_resources()):
                raise Fail(f"{lid}: {name} already exists (a fixed name clashes)")
            return name
        self.counter += 1
        return f"{stack}-{lid}-{self.counter:06d}"

    def all_resources(self):
        for s in self.stacks.values():
            yield from s.resources.values()
        yield from self.retained.values()

    def exports_in_use(self, stack):
        return {e for s in self.stacks.values() if s.name != stack for e in s.imports}

    def check_exports(self, stack, old, new):
        for name, value in old.items():
            if name in self.exports_in_use(stack) and new.get(name, None) != value:
                raise Fail(f"Export {name} cannot be updated or deleted as it is in use")
        for name in new:
            for s in self.stacks.values():
                if s.name != stack and name in s.exports:
                    raise Fail(f"Export with name {name} is already exported by stack {s.name}")

    # ---------- operations ----------
    def delete(self, stack, by_parent=False):
        """delete-stack: refused while another stack imports one of its exports; resources with
        DeletionPolicy Retain stay, the others are deleted."""
        if stack not in self.stacks:
            raise Fail(f"delete: {stack} does not exist")
        if self.stacks[stack].nested_in and not by_parent:
            raise Fail(f"delete: {stack} is nested in {self.stacks[stack].nested_in}: delete it through its parent")
        in_use = set(self.stacks[stack].exports) & self.exports_in_use(stack)
        if in_use:
            raise Fail(f"delete {stack}: Export {sorted(in_use)[0]} is in use by another stack")
        for r in self.stacks[stack].resources.values():
            if r.policy in ("Retain", "RetainExceptOnCreate"):
                self.retained[r.phys] = r
        del self.stacks[stack]
        self.stack_ids.pop(stack, None)

    def deploy(self, stack, t, params=None, body_bytes=None, parent=None):
        """create-stack, or update-stack with the previous parameter values (`parent`: the
        parent stack deploying this nested child)."""
        exists = stack in self.stacks
        if exists and self.stacks[stack].nested_in != parent:
            raise Fail(f"update: {stack} is nested in {self.stacks[stack].nested_in}: update its parent")
        params = dict(self.stacks[stack].params if exists else {}, **(params or {}))
        self.check_quotas(stack, t, body_bytes)
        old = self.stacks.get(stack)
        old_res = old.resources if old else {}
        phys = {}
        active = self.active(stack, t, params)
        for lid in active:
            rtype = t["Resources"][lid]["Type"]
            if lid in old_res and old_res[lid].type == rtype:
                phys[lid] = old_res[lid].phys
        for _ in range(3):  # names may read parameters only; one more pass for GetAtt of names
            for lid in active:
                if lid not in phys:
                    try:
                        phys[lid] = self.new_phys(stack, lid, t["Resources"][lid]["Type"], t, params, phys)
                    except Fail as e:
                        if "Unresolved" not in str(e) and "GetAtt" not in str(e):
                            raise
        self.deploy_children(stack, t, params, phys, active)
        props, exports, imports = self.resolve(stack, t, params, phys)
        self.check_exports(stack, old.exports if old else {}, exports)
        s = Stack(stack, t, params)
        s.outputs, s.nested_in = self.last_outputs, parent
        self.stack_id(stack)
        for lid, p in props.items():
            rtype = t["Resources"][lid]["Type"]
            if lid in old_res and old_res[lid].type == rtype:
                r = old_res[lid]
                if self.replaces(rtype, r.props, p):
                    raise Fail(f"{stack}: updating {lid} needs a replacement, and its fixed name "
                               f"{r.phys} clashes with the new one")
                s.resources[lid] = Resource(rtype, phys[lid], p, t["Resources"][lid].get("DeletionPolicy"), r.uid)
                continue
            s.resources[lid] = Resource(rtype, phys[lid], p, t["Resources"][lid].get("DeletionPolicy"))
        for lid, r in old_res.items():
            if lid in s.resources:
                continue
            if r.type == STACK_TYPE:
                self.remove_child(stack, lid, r)
            elif r.policy in ("Retain", "RetainExceptOnCreate"):
                self.retained[r.phys] = r
        s.exports, s.imports = exports, imports
        self.stacks[stack] = s
        self.remember(s)

    def deploy_children(self, stack, t, params, phys, active):
        """Creates or updates every nested child from its TemplateURL, those whose parameters
        read a sibling's outputs after that sibling."""
        waiting = [lid for lid in active if t["Resources"][lid]["Type"] == STACK_TYPE]
        while waiting:
            done = []
            for lid in waiting:
                ctx = self.context(stack, t, params, phys)
                try:
                    p = self.evaluate(t["Resources"][lid].get("Properties", {}), ctx)
                except Fail as e:
                    if "not deployed yet" in str(e):
                        continue
                    raise
                url = p.get("TemplateURL")
                # A deployment bucket's URL (Serverless: endpoint/bucket/directory/file) names
                # the file uploaded under that file name.
                child_t = self.objects.get(url, self.objects.get(str(url).rsplit("/", 1)[-1]))
                if child_t is None:
                    raise Fail(f"{stack}.{lid}: TemplateURL {url} names no uploaded template")
                self.child_of[(stack, lid)] = phys[lid]
                self.deploy(phys[lid], child_t, p.get("Parameters", {}), parent=stack)
                done.append(lid)
            if not done:
                raise Fail(f"{stack}: nested stacks {waiting} wait on each other")
            waiting = [lid for lid in waiting if lid not in done]

    def remove_child(self, parent, lid, r):
        """A stack resource removed from its parent: the child is deleted, or, retained, left
        as a stack of its own."""
        child = self.child_of.pop((parent, lid), r.phys)
        if r.policy in ("Retain", "RetainExceptOnCreate"):
            self.stacks[child].nested_in = None
        else:
            self.delete(child, by_parent=True)

    def active(self, stack, t, params):
        ctx = self.context(stack, t, params, {})
        return [lid for lid, d in t["Resources"].items()
                if "Condition" not in d or ctx["conditions"][d["Condition"]]]

    @staticmethod
    def replaces(rtype, before, after):
        prop = NAME_PROPERTY.get(rtype)
        if prop and before.get(prop) != after.get(prop) and after.get(prop) is not None:
            return True
        return rtype == "AWS::Lambda::Function" and before.get("PackageType", "Zip") != after.get("PackageType", "Zip")

    def remember(self, s):
        for lid, r in s.resources.items():
            self.last_seen[(s.name, lid)] = r.phys

    def refactor(self, templates, mappings, body_sizes):
        """create-stack-refactor + execute: `templates` maps stack → new template."""
        if not 2 <= len(templates) <= 5:
            raise Fail(f"a refactor takes 2 to 5 stacks, not {len(templates)}")
        for stack, t in templates.items():
            if stack not in self.stacks:
                raise Fail(f"refactor: stack {stack} does not exist (no EnableStackCreation)")
            old = self.stacks[stack].template
            for lid, d in old["Resources"].items():
                if d.get("Type") == STACK_TYPE and t["Resources"].get(lid) != d:
                    raise Fail(f"refactor: {stack}'s stack resource {lid} would change")
            for section in ("Parameters", "Conditions", "Mappings"):
                if old.get(section, {}) != t.get(section, {}):
                    raise Fail(f"refactor: {stack} {section} changed (update the stack first)")
            self.check_quotas(stack, t, body_sizes.get(stack))
        mapped = {(m["Destination"]["StackName"], m["Destination"]["LogicalResourceId"]):
                  (m["Source"]["StackName"], m["Source"]["LogicalResourceId"]) for m in mappings}
        before = {(s, lid): self.stacks[s].resources[lid] for s in templates
                  for lid in self.stacks[s].resources}
        sources, phys_by_stack = {}, {s: {} for s in templates}
        for s, t in templates.items():
            for lid in t["Resources"]:
                src = mapped.get((s, lid), (s, lid))
                if src not in before:
                    cands = [k for k in before if k[1] == lid]
                    if len(cands) != 1:
                        raise Fail(f"refactor: {s}.{lid} would be created")
                    src = cands[0]
                if src in sources.values():
                    raise Fail(f"refactor: {src} goes to two places")
                r = before[src]
                if r.type != t["Resources"][lid]["Type"]:
                    raise Fail(f"refactor: {s}.{lid} changes type")
                if src != (s, lid):
                    if r.type in REFACTOR_DENY or is_custom(r.type):
                        raise Fail(f"refactor: {r.type} cannot be refactored ({src[1]})")
                    old_def = self.stacks[src[0]].template["Resources"][src[1]]
                    used = mentions(old_def, STACK_PSEUDO) + mentions(t["Resources"][lid], STACK_PSEUDO)
                    if used:
                        raise Fail(f"refactor: {src[1]} reads {used[0]}, which differs between stacks")
                sources[(s, lid)] = src
                phys_by_stack[s][lid] = r.phys
        gone = set(before) - set(sources.values())
        if gone:
            raise Fail(f"refactor would delete {sorted(gone)[:3]}")
        # Exports after the operation, then every resource resolved in its new place.
        involved = tuple(templates)
        lazy = _Lazy(self, templates, phys_by_stack)
        pending = {}
        for s, t in templates.items():
            _, exports, _ = self.resolve(s, t, self.stacks[s].params, phys_by_stack[s],
                                         pending_exports=lazy, involved=involved)
            pending.update(exports)
        results = {}
        for s, t in templates.items():
            props, exports, imports = self.resolve(s, t, self.stacks[s].params, phys_by_stack[s],
                                                   pending_exports=pending, involved=involved)
            for lid, p in props.items():
                r = before[sources[(s, lid)]]
                if p != r.props:
                    raise Fail(f"refactor: {lid} would change: {_diff(r.props, p)}")
            results[s] = (props, exports, imports, self.last_outputs)
        for s in self.stacks.values():  # readers outside the refactor keep their values
            if s.name in templates:
                continue
            for name in s.imports:
                owner = next(x for x in self.stacks.values() if name in x.exports)
                if owner.name in templates and pending.get(name, NO_VALUE) != owner.exports[name]:
                    raise Fail(f"refactor: export {name} read by {s.name} would change or go")
        for s, t in templates.items():
            st = Stack(s, t, self.stacks[s].params)
            props, exports, imports, st.outputs = results[s]
            st.nested_in = self.stacks[s].nested_in
            for lid in props:
                r = before[sources[(s, lid)]]
                st.resources[lid] = Resource(r.type, r.phys, r.props, t["Resources"][lid].get("DeletionPolicy"), r.uid)
            st.exports, st.imports = exports, imports
            self.stacks[s] = st
            self.remember(st)

    def import_resources(self, stack, t, to_import, params=None, body_bytes=None):
        """An IMPORT change set: `to_import` = [{ResourceType, LogicalResourceId, ResourceIdentifier}]."""
        self.check_quotas(stack, t, body_bytes)
        old = self.stacks.get(stack)
        if old and old.nested_in:
            raise Fail(f"import: {stack} is nested in {old.nested_in}: change it through its parent")
        params = dict(old.params if old else {}, **(params or {}))
        old_res = old.resources if old else {}
        phys = {lid: r.phys for lid, r in old_res.items()}
        ids = {e["LogicalResourceId"] for e in to_import}
        nesting = {}  # stack resource -> the existing stack it nests
        for e in to_import:
            lid, rtype = e["LogicalResourceId"], e["ResourceType"]
            d = t["Resources"].get(lid)
            if d is None or d["Type"] != rtype:
                raise Fail(f"import: {lid} is not in the template as {rtype}")
            if rtype == STACK_TYPE:
                if "DeletionPolicy" not in d:
                    raise Fail(f"import: {lid} needs a DeletionPolicy")
                nesting[lid] = self.stack_to_nest(stack, lid, e["ResourceIdentifier"])
                phys[lid] = nesting[lid].name
                continue
            if rtype not in IMPORTABLE:
                raise Fail(f"import: {rtype} cannot be imported")
            if "DeletionPolicy" not in d:
                raise Fail(f"import: {lid} needs a DeletionPolicy")
            ident = list(e["ResourceIdentifier"].values())[0]
            if ident not in self.retained or self.retained[ident].type != rtype:
                raise Fail(f"import: {ident} is not a resource outside every stack")
            phys[lid] = ident
        extra = set(t["Resources"]) - set(old_res) - ids
        missing = set(old_res) - set(t["Resources"])
        if extra or missing:
            raise Fail(f"import: may not create {sorted(extra)} or delete {sorted(missing)}")
        props, exports, imports = self.resolve(stack, t, params, phys)
        for lid, child in nesting.items():
            self.check_nesting(stack, lid, props[lid], child)
        for lid, p in props.items():
            if lid in nesting:
                continue
            was = old_res[lid].props if lid in old_res else self.retained[phys[lid]].props
            if p != was:
                raise Fail(f"import: {lid} would change: {_diff(was, p)}")
        self.check_exports(stack, old.exports if old else {}, exports)
        s = Stack(stack, t, params)
        s.outputs, s.nested_in = self.last_outputs, old.nested_in if old else None
        for lid, p in props.items():
            policy = t["Resources"][lid].get("DeletionPolicy")
            if lid in nesting:
                s.resources[lid] = Resource(STACK_TYPE, phys[lid], p, policy)
                nesting[lid].nested_in = stack
                self.child_of[(stack, lid)] = phys[lid]
                continue
            r = old_res.get(lid) or self.retained.pop(phys[lid])
            s.resources[lid] = Resource(r.type, r.phys, p, policy, r.uid)
        s.exports, s.imports = exports, imports
        self.stacks[stack] = s
        self.remember(s)


class _Lazy(dict):
    """Exports of the stacks of a refactor, computed on demand (they may read each other)."""

    def __init__(self, cloud, templates, phys):
        super().__init__()
        self.cloud, self.templates, self.phys, self.busy = cloud, templates, phys, set()

    def __contains__(self, name):
        return self.get_export(name) is not None

    def __getitem__(self, name):
        return self.get_export(name)

    def get_export(self, name):
        for s, t in self.templates.items():
            for o in t.get("Outputs", {}).values():
                if "Export" not in o or s in self.busy:
                    continue
                self.busy.add(s)
                try:
                    ctx = self.cloud.context(s, t, self.cloud.stacks[s].params, self.phys[s])
                    ctx["pending"] = self
                    ctx["involved"] = tuple(self.templates)
                    if self.cloud.evaluate(o["Export"]["Name"], ctx) == name:
                        return self.cloud.evaluate(o["Value"], ctx)
                finally:
                    self.busy.discard(s)
        return None


def _diff(a, b, path=""):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if a.get(k) != b.get(k):
                return _diff(a.get(k), b.get(k), f"{path}.{k}")
    return f"{path or '.'}: {json.dumps(a)[:120]} -> {json.dumps(b)[:120]}"
