"""Self-test of the deploy test's comparison, run before any case: a comparison that cannot
fail would make every case pass."""
import compare


def snap(resources, outputs=None, exports=None, root="app"):
    return {"stacks": {root: {"resources": resources, "outputs": outputs or {}, "root": True,
                              "status": "CREATE_COMPLETE"}},
            "exports": exports or {}}


def check():
    fixed = {"Queue": ("AWS::SQS::Queue", "app-queue"), "Fn": ("AWS::Lambda::Function", "r1")}
    again = {"Queue": ("AWS::SQS::Queue", "app-queue"), "Fn": ("AWS::Lambda::Function", "r2")}
    same = snap({"Queue": ("AWS::SQS::Queue", "app-queue"), "Fn": ("AWS::Lambda::Function", "r3")})
    assert compare.differences(snap(fixed), snap(again), same) == []
    renamed = snap({"Queue": ("AWS::SQS::Queue", "other-queue"), "Fn": ("AWS::Lambda::Function", "r3")})
    assert any("physical ID" in d for d in compare.differences(snap(fixed), snap(again), renamed))
    lost = snap({"Queue": ("AWS::SQS::Queue", "app-queue")})
    assert any("Fn" in d and "not deployed" in d
               for d in compare.differences(snap(fixed), snap(again), lost))
    out = {"Url": ("https://x", None)}
    a = snap(fixed, out, {"app-Url": "https://x"})
    b = snap(again, out, {"app-Url": "https://x"})
    assert compare.differences(a, b, snap(fixed, out, {"app-Url": "https://x"})) == []
    assert any("export app-Url" in d
               for d in compare.differences(a, b, snap(fixed, out, {})))
    assert any("root output Url" in d
               for d in compare.differences(a, b, snap(fixed, {"Url": ("https://y", None)},
                                                       {"app-Url": "https://x"})))
    two = {"stacks": {"a": {"resources": fixed, "outputs": {}, "root": True, "status": ""},
                      "b": {"resources": {"Fn": ("AWS::Lambda::Function", "r9")}, "outputs": {},
                            "root": True, "status": ""}}, "exports": {}}
    assert any("two stacks" in d for d in compare.differences(snap(fixed), snap(again), two))


if __name__ == "__main__":
    check()
    print("compare self-test: ok")
