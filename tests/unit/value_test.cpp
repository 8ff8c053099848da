// Value: the bulk append (AppendMoved) the JSON reader uses for every container it closes, the
// function name a node keeps as its keys change, and structural equality.
#include "cfnsplit/value.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using cfnsplit::SourceLoc;
using cfnsplit::Value;

TEST_CASE("AppendMoved appends keys and items in order after what a container holds",
          "[unit][value]") {
  Value map = Value::Map();
  map.AppendEntry("first", Value::String("1"), SourceLoc{1, 1, 1});
  std::vector<Value::Key> keys = {{"b-a-key-longer-than-sso-storage", SourceLoc{1, 2, 3}},
                                  {"a", SourceLoc{1, 4, 5}}};
  std::vector<Value> items;
  items.push_back(Value::String("a value longer than the small-string buffer"));
  items.push_back(Value::List());
  items.back().Append(Value::Number("7"));
  map.AppendMoved(keys, items);
  REQUIRE(map.size() == 3);
  REQUIRE(map.keys().size() == 3);
  CHECK(map.keys()[1].name == "b-a-key-longer-than-sso-storage");
  CHECK(map.keys()[1].loc == (SourceLoc{1, 2, 3}));
  CHECK(map.keys()[2].name == "a");
  CHECK(map.Find("b-a-key-longer-than-sso-storage")->text() ==
        "a value longer than the small-string buffer");
  CHECK(map.Find("a")->items()[0].text() == "7");
  CHECK(map.Find("first")->text() == "1");

  Value list = Value::List();
  std::vector<Value::Key> no_keys;
  std::vector<Value> more;
  more.push_back(Value::Bool(true));
  more.push_back(Value::Null());
  list.Append(Value::String("kept"));
  list.AppendMoved(no_keys, more);
  REQUIRE(list.size() == 3);
  CHECK(list.items()[0].text() == "kept");
  CHECK(list.items()[1].is_bool());
  CHECK(list.items()[2].is_null());
  CHECK(list.keys().empty());
}

// IntrinsicName is kept on the node as its keys change (NoteKeys); it must answer as the keys
// and the argument read now, whatever built or changed the map.
TEST_CASE("IntrinsicName follows every change to a map's keys and its argument", "[unit][value]") {
  Value ref = Value::Intrinsic("Ref", Value::String("Bucket"));
  CHECK(ref.IntrinsicName() == "Ref");
  CHECK(Value(ref).IntrinsicName() == "Ref");  // copies and moves carry it
  Value moved = std::move(ref);
  CHECK(moved.IntrinsicName() == "Ref");

  // A second key makes it a plain map; erasing it makes it a call again.
  moved.AppendEntry("Other", Value::String("x"));
  CHECK(moved.IntrinsicName().empty());
  REQUIRE(moved.Erase("Other"));
  CHECK(moved.IntrinsicName() == "Ref");
  REQUIRE(moved.Erase("Ref"));
  CHECK(moved.IntrinsicName().empty());

  // Ref and Condition take a name: {Condition: {...}} is an IAM policy block, also after the
  // argument is replaced in place.
  Value condition = Value::Intrinsic("Condition", Value::String("IsProd"));
  CHECK(condition.IntrinsicName() == "Condition");
  condition.Set("Condition", Value::Map());
  CHECK(condition.IntrinsicName().empty());
  condition.items()[0] = Value::String("IsProd");
  CHECK(condition.IntrinsicName() == "Condition");

  // Every Fn:: name, by the bulk append the JSON reader uses; a non-function key is no call.
  Value join = Value::Map();
  std::vector<Value::Key> keys = {{"Fn::Join", SourceLoc{1, 1, 1}}};
  std::vector<Value> items(1, Value::List());
  join.AppendMoved(keys, items);
  CHECK(join.IntrinsicName() == "Fn::Join");
  CHECK(Value::Intrinsic("Fn::ForEach::Topics", Value::List()).IntrinsicName() ==
        "Fn::ForEach::Topics");
  CHECK(Value::Intrinsic("Fn::Nope", Value::List()).IntrinsicName().empty());
  CHECK(Value::Intrinsic("Variables", Value::Map()).IntrinsicName().empty());

  // Assigning over a call replaces what it names.
  Value target = Value::Intrinsic("Fn::GetAtt", Value::String("Role.Arn"));
  target = Value::Map();
  CHECK(target.IntrinsicName().empty());
  target = Value::Intrinsic("Fn::Sub", Value::String("${AWS::Region}"));
  CHECK(target.IntrinsicName() == "Fn::Sub");
}

TEST_CASE("Equals compares kinds, texts, keys and items, never how a node was built",
          "[unit][value]") {
  // An empty container with no children made yet equals one whose children were made.
  Value made = Value::List();
  made.Append(Value::String("x"));
  made.items().clear();
  CHECK(Value::List().Equals(made));
  CHECK(made.Equals(Value::List()));
  CHECK_FALSE(Value::List().Equals(Value::Map()));
  // Scalars by kind and text; `loose` lets a boolean equal the string of its text.
  CHECK(Value::Number("1.0").Equals(Value::Number("1.0")));
  CHECK_FALSE(Value::Number("1.0").Equals(Value::Number("1")));
  CHECK_FALSE(Value::Bool(true).Equals(Value::String("true")));
  CHECK(Value::Bool(true).Equals(Value::String("true"), true));
  CHECK_FALSE(Value::Null().Equals(Value::String(""), true));
  // Maps by keys in order, then values; lists item by item.
  Value a = Value::Map();
  a.AppendEntry("K", Value::String("v"));
  a.AppendEntry("L", Value::List());
  Value b = a;
  CHECK(a.Equals(b));
  b.Set("K", Value::String("w"));
  CHECK_FALSE(a.Equals(b));
  Value c = Value::Map();
  c.AppendEntry("L", Value::List());
  c.AppendEntry("K", Value::String("v"));
  CHECK_FALSE(a.Equals(c));
  Value longer = a;
  longer.Find("L")->Append(Value::Null());
  CHECK_FALSE(a.Equals(longer));
  CHECK_FALSE(longer.Equals(a));
}
