"""Nesting an existing stack into a parent by resource import, in the model of cfn_model.py
(UserGuide resource-import-nested-stacks.html): the rules written down again from that page."""
from cfn_rules import ACCOUNT, REGION, STACK_TYPE, Fail


class Nesting:
    """Mixed into cfn_model.Cloud: stack IDs, and the checks of an imported stack resource."""

    def stack_id(self, name):
        if name not in self.stack_ids:
            self.stack_ids[name] = (f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{name}/"
                                    f"{len(self.stack_ids) + 1:08d}-0000-0000-0000-000000000000")
        return self.stack_ids[name]

    def stack_to_nest(self, parent, lid, ident):
        """The existing stack an imported stack resource names by its StackId: one level of
        nesting only (resource-import-nested-stacks.html)."""
        sid = ident.get("StackId")
        child = next((s for s in self.stacks.values() if self.stack_ids.get(s.name) == sid), None)
        if child is None:
            raise Fail(f"import: {lid}: no stack has the ID {sid}")
        if child.name == parent:
            raise Fail(f"import: {lid}: a stack cannot be nested in itself")
        if child.nested_in:
            raise Fail(f"import: {child.name} is nested in {child.nested_in} already")
        if any(r.type == STACK_TYPE for r in child.resources.values()):
            raise Fail(f"import: {child.name} has nested stacks of its own (one level of nesting only)")
        return child

    def check_nesting(self, parent, lid, props, child):
        """The stack resource must describe the stack as it is: its TemplateURL's template is the
        stack's template, and the Parameters it passes are the stack's values."""
        url = props.get("TemplateURL")
        if self.objects.get(url) != child.template:
            raise Fail(f"import: {parent}.{lid}: the template at {url} is not {child.name}'s template")
        ctx = self.context(child.name, child.template, child.params, {})
        passed = {k: str(v) for k, v in props.get("Parameters", {}).items()}
        have = {k: (",".join(v) if isinstance(v, list) else str(v)) for k, v in ctx["params"].items()}
        if passed != have:
            diff = sorted(k for k in set(passed) | set(have) if passed.get(k) != have.get(k))
            raise Fail(f"import: {parent}.{lid}: the parameters passed differ from {child.name}'s: {diff[:5]}")
