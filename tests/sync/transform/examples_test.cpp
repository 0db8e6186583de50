// The worked examples of merge.md section 6, each merged in both role
// assignments (A as the server's history, then B as the client's history):
// both must give the A' and B' of the table. T has an int primary key; A
// comes from file 2, B from file 3 unless a row says otherwise.
#include <catch2/catch.hpp>

#include "build.hpp"

using namespace ros::test::transform;
using cs::CollectionType;
using cs::Type;

namespace {

const Changeset kNone(0);  // every instruction discarded

At F(const char* field, std::vector<E> path = {}) { return At{"T", 1, field, std::move(path)}; }
At L(int i) { return F("l", {i}); }

Changeset A(uint64_t ts) { return Changeset(ts, 2); }
Changeset B(uint64_t ts) { return Changeset(ts, 3); }

void expect(const Changeset& a, const Changeset& b, const Changeset& a2, const Changeset& b2) {
  for (const auto& m : {merge_major_a(a, b), merge_major_b(a, b)}) {
    CHECK(m.a == text(a2.m));
    CHECK(m.b == text(b2.m));
  }
}

void expect_error(const Changeset& a, const Changeset& b, const std::string& words) {
  for (const auto& m : {merge_major_a(a, b), merge_major_b(a, b)}) {
    CHECK(m.a.rfind("error: bad merge", 0) == 0);
    CHECK(m.a.find(words) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("merge.md 6: fields, last writer wins", "[transform]") {
  SECTION("1 newer update wins") {
    auto a = A(10).set(F("x"), Int(1));
    auto b = B(20).set(F("x"), Int(2));
    expect(a, b, kNone, b);
  }
  SECTION("2 equal timestamps: the larger file wins") {
    auto a = Changeset(10, 3).set(F("x"), Int(1));
    auto b = Changeset(10, 2).set(F("x"), Int(2));
    expect(a, b, a, kNone);
  }
  SECTION("3 a default loses to a real value, whatever the time") {
    auto a = A(20).set(F("x"), Int(1), true);
    auto b = B(10).set(F("x"), Int(2));
    expect(a, b, kNone, b);
  }
  SECTION("5 embedded object against null") {
    auto a = A(20).set(F("e"), Of(Type::ObjectValue)).set(F("e", {"x"}), Int(1));
    auto b = B(10).set(F("e"), Of(Type::Null));
    expect(a, b, kNone, b);
  }
  SECTION("6 embedded object created twice") {
    auto a = A(10).set(F("e"), Of(Type::ObjectValue)).set(F("e", {"x"}), Int(1));
    auto b = B(20).set(F("e"), Of(Type::ObjectValue)).set(F("e", {"y"}), Int(2));
    expect(a, b, A(10).set(F("e", {"x"}), Int(1)), b);
  }
  SECTION("7 a list made twice keeps both inserts") {
    auto a = A(10).set(F("any"), Of(Type::List)).insert(F("any", {0}), Int(1), 0);
    auto b = B(20).set(F("any"), Of(Type::List)).insert(F("any", {0}), Int(2), 0);
    expect(a, b, A(10).set(F("any"), Of(Type::List)).insert(F("any", {0}), Int(1), 1),
           B(20).set(F("any"), Of(Type::List)).insert(F("any", {1}), Int(2), 1));
  }
  SECTION("8 a dictionary replaces a list inside") {
    auto a = A(10).set(F("any", {"A", "B"}), Of(Type::Dictionary));
    auto b = B(20).insert(F("any", {"A", "B", 0}), Int(1), 0);
    expect(a, b, a, kNone);
  }
  SECTION("10 a scalar over a list wipes the inserts") {
    auto a = A(20).set(F("any"), Int(42));
    auto b = B(10).insert(F("any", {2}), Int(3), 2);
    expect(a, b, a, kNone);
  }
  SECTION("11 null over a subtree wins regardless of time") {
    auto a = A(10).set(F("e"), Of(Type::Null));
    auto b = B(20).set(F("e", {"x"}), Int(5));
    expect(a, b, a, kNone);
  }
}

TEST_CASE("merge.md 6: counters", "[transform]") {
  SECTION("12 two additions both count") {
    auto a = A(10).add(F("n"), 5);
    auto b = B(20).add(F("n"), 4);
    expect(a, b, a, b);
  }
  SECTION("13 an addition after a set goes into the set") {
    auto a = A(20).add(F("n"), 3);
    auto b = B(10).set(F("n"), Int(100));
    expect(a, b, a, B(10).set(F("n"), Int(103)));
  }
  SECTION("14 an addition before a set is lost") {
    auto a = A(5).add(F("n"), 3);
    auto b = B(10).set(F("n"), Int(100));
    expect(a, b, kNone, b);
  }
  SECTION("15 an addition after null is kept") {
    auto a = A(20).add(F("n"), 3);
    auto b = B(10).set(F("n"), Of(Type::Null));
    expect(a, b, a, b);
  }
  SECTION("16 an addition after a string is dropped") {
    auto a = A(20).add(F("n"), 3);
    auto b = B(10).set(F("n"), Str("abc"));
    expect(a, b, kNone, b);
  }
  SECTION("17 an addition goes into a newer default") {
    auto a = A(5).add(F("n"), 3);
    auto b = B(10).set(F("n"), Int(7), true);
    expect(a, b, a, B(10).set(F("n"), Int(10), true));
  }
}

TEST_CASE("merge.md 6: objects", "[transform]") {
  SECTION("18 erase wins over create and update") {
    auto a = A(5).create("T", 1).erase("T", 2);
    auto b = B(10).create("T", 1).create("T", 2).set(At{"T", 2, "x"}, Int(1));
    expect(a, b, a, B(10).create("T", 1));
  }
  SECTION("19 the newer of two erases stays") {
    auto a = A(5).erase("T", 1);
    auto b = B(10).erase("T", 1);
    expect(a, b, kNone, b);
  }
  SECTION("21 create-set-erase against create") {
    auto a = Changeset(0, 2).create("T", 123).set(At{"T", 123, "int"}, Int(500)).erase("T", 123);
    auto b = Changeset(1, 3).create("T", 123);
    expect(a, b, a, kNone);
  }
  SECTION("22 an erased object loses every edit inside it") {
    auto a = A(10).erase("T", 1);
    auto b = B(20)
                 .insert(L(0), Int(1), 0)
                 .set_insert(F("s"), Int(1))
                 .add(F("n"), 1)
                 .set(At{"T", 2, "x"}, Int(1));
    expect(a, b, a, B(20).set(At{"T", 2, "x"}, Int(1)));
  }
  SECTION("23 a link to an erased object is left alone") {
    auto a = A(10).erase("Tgt", 1);
    auto b = B(20);
    b.set(At{"Src", 5, "lnk"}, LinkTo(b, "Tgt", 1));
    expect(a, b, a, b);
  }
}

TEST_CASE("merge.md 6: lists", "[transform]") {
  SECTION("24 insert against insert") {
    auto a = A(10).insert(L(1), Int(10), 3).insert(L(3), Int(11), 4);
    auto b = B(20).insert(L(1), Int(20), 3);
    expect(a, b, A(10).insert(L(1), Int(10), 4).insert(L(4), Int(11), 5),
           B(20).insert(L(2), Int(20), 5));
  }
  SECTION("25 insert tie with equal timestamps") {
    auto a = Changeset(10, 3).insert(L(0), Int(1), 0);
    auto b = Changeset(10, 2).insert(L(0), Int(2), 0);
    expect(a, b, Changeset(10, 3).insert(L(1), Int(1), 1),
           Changeset(10, 2).insert(L(0), Int(2), 1));
  }
  SECTION("26 erase against inserts") {
    auto a = A(10).remove(L(2), 5);
    auto b = B(20).insert(L(2), Int(9), 5).insert(L(5), Int(8), 6);
    expect(a, b, A(10).remove(L(3), 7), B(20).insert(L(2), Int(9), 4).insert(L(4), Int(8), 5));
  }
  SECTION("28 erase against erase") {
    auto a = A(10).remove(L(2), 5).remove(L(0), 4);
    auto b = B(20).remove(L(2), 5);
    expect(a, b, A(10).remove(L(0), 4), kNone);
  }
  SECTION("29 insert against set") {
    auto a = A(10).insert(L(1), Int(5), 3);
    auto b = B(20).set_at(L(1), Int(7), 3).set_at(L(0), Int(6), 3);
    expect(a, b, a, B(20).set_at(L(2), Int(7), 4).set_at(L(0), Int(6), 4));
  }
  SECTION("30 erase against set") {
    auto a = A(30).remove(L(1), 3);
    auto b = B(20).set_at(L(1), Int(7), 3).set_at(L(2), Int(6), 3);
    expect(a, b, a, B(20).set_at(L(1), Int(6), 2));
  }
  SECTION("31 move against insert") {
    auto a = A(10).move(L(0), 2, 4);
    auto b = B(20).insert(L(2), Int(9), 4);
    expect(a, b, A(10).move(L(0), 3, 5), B(20).insert(L(1), Int(9), 4));
  }
  SECTION("32 move against insert, tie, move older") {
    auto a = A(10).move(L(3), 1, 4);
    auto b = B(20).insert(L(1), Int(9), 4);
    expect(a, b, A(10).move(L(4), 2, 5), b);
  }
  SECTION("33 move against insert, tie, move newer") {
    auto a = A(30).move(L(3), 1, 4);
    auto b = B(20).insert(L(1), Int(9), 4);
    expect(a, b, A(30).move(L(4), 1, 5), B(20).insert(L(2), Int(9), 4));
  }
  SECTION("34 the same element moved twice") {
    auto a = A(10).move(L(0), 2, 4);
    auto b = B(20).move(L(0), 3, 4);
    expect(a, b, kNone, B(20).move(L(2), 3, 4));
  }
  SECTION("35 two moves") {
    auto a = A(10).move(L(0), 3, 5);
    auto b = B(20).move(L(4), 1, 5);
    expect(a, b, A(10).move(L(0), 4, 5), B(20).move(L(4), 0, 5));
  }
  SECTION("36 erase of a moved element") {
    auto a = A(10).remove(L(1), 4);
    auto b = B(20).move(L(1), 3, 4);
    expect(a, b, A(10).remove(L(3), 4), kNone);
  }
  SECTION("38 move against set") {
    auto a = A(10).move(L(3), 0, 4);
    auto b = B(20).set_at(L(3), Int(1), 4).set_at(L(1), Int(2), 4);
    expect(a, b, a, B(20).set_at(L(0), Int(1), 4).set_at(L(2), Int(2), 4));
  }
  SECTION("39 insert shifts an edit inside a later element") {
    auto a = A(10).insert(L(0), Of(Type::ObjectValue), 3);
    auto b = B(20).set(F("l", {2, "x"}), Int(5));
    expect(a, b, a, B(20).set(F("l", {3, "x"}), Int(5)));
  }
  SECTION("40 erase drops the edits inside the element") {
    auto a = A(10).remove(L(1), 3);
    auto b = B(20).set(F("l", {1, "x"}), Int(5)).set(F("l", {2, "x"}), Int(6));
    expect(a, b, a, B(20).set(F("l", {1, "x"}), Int(6)));
  }
  SECTION("41 nested move changes the move, not the edit (quirk)") {
    auto a = A(10).move(L(1), 3, 4);
    auto b = B(20).set(F("l", {1, "x"}), Int(5));
    expect(a, b, A(10).move(L(3), 3, 4), b);
  }
  SECTION("42 nested move, other element (quirk)") {
    auto a = A(10).move(L(1), 3, 4);
    auto b = B(20).set(F("l", {0, "x"}), Int(5));
    expect(a, b, A(10).move(L(0), 3, 4), b);
  }
}

TEST_CASE("merge.md 6: clear, sets, dictionaries", "[transform]") {
  SECTION("43 clear against insert") {
    auto a = A(10).clear(F("l"), CollectionType::List).insert(L(0), Int(1), 0);
    auto b = B(20).insert(L(2), Int(9), 2);
    expect(a, b, a, kNone);
  }
  SECTION("44 clear against clear") {
    auto a = A(10).clear(F("l"), CollectionType::List).insert(L(0), Int(3), 0);
    auto b = B(20).clear(F("l"), CollectionType::List).insert(L(0), Int(5), 0);
    expect(a, b, kNone, b);
  }
  SECTION("45 clear against an update of the slot") {
    auto a = A(10).clear(F("any"), CollectionType::List).clear(F("any2"), CollectionType::List);
    auto b = B(20).set(F("any"), Of(Type::List)).set(F("any2"), Int(42));
    expect(a, b, A(10).clear(F("any"), CollectionType::List), b);
  }
  SECTION("47 clear against add") {
    auto a = A(10).clear(F("any"), CollectionType::Dictionary);
    auto b = B(20).add(F("any"), 1);
    expect(a, b, a, kNone);
  }
  SECTION("48 clear of a dictionary against a key") {
    auto a = A(10).clear(F("d"), CollectionType::Dictionary);
    auto b = B(20).set(F("d", {"k"}), Int(1));
    expect(a, b, a, kNone);
  }
  SECTION("49 set inserts") {
    auto a = A(10).set_insert(F("s"), Int(1)).set_insert(F("s"), Int(2));
    auto b = B(20).set_insert(F("s"), Int(1)).set_insert(F("s"), Int(3));
    expect(a, b, A(10).set_insert(F("s"), Int(2)), b);
  }
  SECTION("50 set erase against insert") {
    auto a = A(30).set_erase(F("s"), Int(1));
    auto b = B(20).set_insert(F("s"), Int(1));
    expect(a, b, a, kNone);
  }
  SECTION("51 set erase against erase") {
    auto a = A(10).set_erase(F("s"), Int(1));
    auto b = B(20).set_erase(F("s"), Int(1));
    expect(a, b, kNone, b);
  }
  SECTION("52 equal strings at different buffer places are different (quirk)") {
    auto a = A(10).set_erase(F("s"), Str("abc"));
    auto b = B(20);
    b.s("zz");
    b.set_erase(F("s"), Str("abc"));
    expect(a, b, a, b);
  }
  SECTION("53 different strings at the same buffer place are equal (quirk)") {
    auto a = A(10).set_erase(F("s"), Str("abc"));
    auto b = B(20).set_erase(F("s"), Str("xyz"));
    expect(a, b, kNone, b);
  }
  SECTION("52b the buffer place depends on the layout the bytes had (quirk)") {
    // B declares "x" after its SetErase when streamed, before it when hoisted.
    auto a = A(10).set_erase(F("s"), Str("abc"));
    auto b = B(20).set_erase(F("s"), Str("abc")).set(F("x"), Int(1));
    expect(a, b, a, b);
    b.m.layout = cs::Layout::streaming;
    expect(a, b, kNone, b);
  }
  SECTION("53b set operations against clear") {
    auto a = A(10).clear(F("s"), CollectionType::Set);
    auto b = B(20).set_insert(F("s"), Int(4)).set_erase(F("s"), Int(5));
    expect(a, b, a, kNone);
  }
  SECTION("54 dictionary keys") {
    auto a = A(10).set(F("d", {"k"}), Int(1));
    auto b = B(20).set(F("d", {"k"}), Of(Type::Erased)).set(F("d", {"j"}), Int(2));
    expect(a, b, kNone, b);
  }
}

TEST_CASE("merge.md 6: schema", "[transform]") {
  SECTION("55 the same table added twice") {
    auto a = A(10).add_table("T");
    auto b = B(20).add_table("T").add_table("U", "_id", Type::String);
    expect(a, b, kNone, B(20).add_table("U", "_id", Type::String));
  }
  SECTION("57 an erased table loses everything in it") {
    auto a = A(10).erase_table("T");
    auto b = B(20)
                 .add_table("T")
                 .create("T", 1)
                 .set(F("x"), Int(1))
                 .add_column("T", "a", Type::Int)
                 .erase_column("T", "b");
    expect(a, b, a, kNone);
  }
  SECTION("58 a link column into an erased table is erased first") {
    auto a = A(10).erase_table("T");
    auto b = B(20).add_column("U", "lnk", Type::Link, true, "T");
    b.set(At{"U", 1, "lnk"}, LinkTo(b, "T", 1)).set(At{"U", 1, "y"}, Int(1));
    expect(a, b, A(10).erase_column("U", "lnk").erase_table("T"),
           B(20).set(At{"U", 1, "y"}, Int(1)));
  }
  SECTION("59 an erased column keeps list inserts (quirk)") {
    auto a = A(10).erase_column("T", "x");
    auto b =
        B(20).set(F("x"), Int(1)).insert(F("x", {0}), Int(1), 0).add_column("T", "x", Type::Int);
    expect(a, b, a, B(20).insert(F("x", {0}), Int(1), 0));
  }
}

TEST_CASE("merge.md 6: fatal conflicts name the pair", "[transform]") {
  SECTION("56 schema mismatch") {
    expect_error(A(10).add_table("T"), B(20).add_table("T", "_id", Type::String),
                 "AddTable x AddTable");
    expect_error(A(10).add_column("T", "a", Type::Int), B(20).add_column("T", "a", Type::Int, true),
                 "AddColumn x AddColumn");
  }
  SECTION("60 prior_size") {
    expect_error(A(10).insert(L(0), Int(1), 3), B(20).insert(L(0), Int(2), 4),
                 "ArrayInsert(T.l) x ArrayInsert(T.l): prior_size");
  }
  SECTION("4.4 a list index against a dictionary key is malformed input") {
    for (const auto& m :
         {merge_major_a(A(10).insert(F("any", {0}), Int(1), 0), B(20).set(F("any", {"k"}), Int(2))),
          merge_major_b(A(10).insert(F("any", {0}), Int(1), 0),
                        B(20).set(F("any", {"k"}), Int(2)))}) {
      CHECK(m.a.rfind("error: bad changeset: ", 0) == 0);
      CHECK(m.a.find("container shape clash") != std::string::npos);
    }
  }
  SECTION("a string index outside the table is refused, not a crash") {
    auto a = A(10).set(F("x"), Int(1));
    auto b = B(20).set(F("x"), Int(2));
    b.m.changeset.strings.resize(1);
    CHECK(merge_major_a(a, b).a.rfind("error: bad changeset", 0) == 0);
  }
  SECTION("61 inconsistent paths") {
    expect_error(A(10).insert(F("any", {0}), Int(1), 0), B(20).set(F("any", {"k", "x"}), Int(5)),
                 "inconsistent paths");
  }
}

TEST_CASE("merge.md 6: sequences of changesets", "[transform]") {
  SECTION("history of two against one upload") {
    std::vector<MergeChangeset> history{A(10).insert(L(0), Int(100), 2).m, A(11).remove(L(2), 3).m};
    std::vector<MergeChangeset> incoming{B(20).set_at(L(1), Int(7), 2).insert(L(2), Int(8), 2).m};
    REQUIRE(ros::sync::transform::merge(history, incoming));
    CHECK(text(incoming[0]) == text(B(20).insert(L(2), Int(8), 2).m));
    CHECK(text(history[0]) == text(A(10).insert(L(0), Int(100), 3).m));
    CHECK(text(history[1]) == text(A(11).remove(L(2), 4).m));
    CHECK(history[0].modified);
    CHECK(incoming[0].modified);
  }
  SECTION("a batch of two uploads") {
    std::vector<MergeChangeset> history{A(10).insert(L(0), Int(1), 0).m};
    std::vector<MergeChangeset> incoming{B(20).insert(L(0), Int(2), 0).m,
                                         B(21).insert(L(0), Int(3), 1).m};
    REQUIRE(ros::sync::transform::merge(history, incoming));
    CHECK(text(incoming[0]) == text(B(20).insert(L(1), Int(2), 1).m));
    CHECK(text(incoming[1]) == text(B(21).insert(L(1), Int(3), 2).m));
    CHECK(text(history[0]) == text(A(10).insert(L(0), Int(1), 2).m));
  }
  SECTION("an unrelated history entry is not modified") {
    std::vector<MergeChangeset> history{A(10).set(At{"T", 2, "x"}, Int(1)).m};
    std::vector<MergeChangeset> incoming{B(20).set(F("x"), Int(2)).m};
    REQUIRE(ros::sync::transform::merge(history, incoming));
    CHECK_FALSE(history[0].modified);
    CHECK_FALSE(incoming[0].modified);
  }
}
