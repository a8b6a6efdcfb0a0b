package python

// allNodesWant is the expected dump of TestDumpAllNodes. Its field order and
// scalars follow CPython 3.14 (checked against CPython's own dumps for all
// but Interpolation and TemplateStr, which need 3.14).
const allNodesWant = `Module
  body[0]: FunctionDef @1:0-1:1
    name: "f"
    args: arguments
      posonlyargs[0]: arg @1:0-1:1
        arg: "a"
        annotation: None
        type_comment: None
      args[0]: arg @1:0-1:1
        arg: "b"
        annotation: Name @1:0-1:1
          id: "int"
          ctx: Load
        type_comment: None
      vararg: arg @1:0-1:1
        arg: "c"
        annotation: None
        type_comment: None
      kwonlyargs[0]: arg @1:0-1:1
        arg: "d"
        annotation: None
        type_comment: None
      kwonlyargs[1]: arg @1:0-1:1
        arg: "e"
        annotation: None
        type_comment: None
      kw_defaults[0]: None
      kw_defaults[1]: Constant @1:0-1:1
        value: int:1
        kind: None
      kwarg: arg @1:0-1:1
        arg: "f"
        annotation: None
        type_comment: None
      defaults[0]: Constant @1:0-1:1
        value: int:1
        kind: None
    body[0]: Pass @1:0-1:1
    decorator_list[0]: Name @1:0-1:1
      id: "d"
      ctx: Load
    returns: Name @1:0-1:1
      id: "r"
      ctx: Load
    type_comment: None
    type_params[0]: TypeVar @1:0-1:1
      name: "T"
      bound: Name @1:0-1:1
        id: "int"
        ctx: Load
      default_value: Name @1:0-1:1
        id: "str"
        ctx: Load
    type_params[1]: ParamSpec @1:0-1:1
      name: "P"
      default_value: None
    type_params[2]: TypeVarTuple @1:0-1:1
      name: "Ts"
      default_value: Name @1:0-1:1
        id: "u"
        ctx: Load
  body[1]: AsyncFunctionDef @1:0-1:1
    name: "g"
    args: arguments
      posonlyargs: []
      args: []
      vararg: None
      kwonlyargs: []
      kw_defaults: []
      kwarg: None
      defaults: []
    body[0]: Break @1:0-1:1
    body[1]: Continue @1:0-1:1
    decorator_list: []
    returns: None
    type_comment: None
    type_params: []
  body[2]: ClassDef @1:0-1:1
    name: "C"
    bases[0]: Name @1:0-1:1
      id: "B"
      ctx: Load
    keywords[0]: keyword @1:0-1:1
      arg: "k"
      value: Constant @1:0-1:1
        value: int:1
        kind: None
    keywords[1]: keyword @1:0-1:1
      arg: None
      value: Name @1:0-1:1
        id: "kw"
        ctx: Load
    body[0]: Return @1:0-1:1
      value: None
    body[1]: Return @1:0-1:1
      value: Constant @1:0-1:1
        value: int:1
        kind: None
    decorator_list: []
    type_params: []
  body[3]: Delete @1:0-1:1
    targets[0]: Name @1:0-1:1
      id: "x"
      ctx: Del
  body[4]: TypeAlias @1:0-1:1
    name: Name @1:0-1:1
      id: "A"
      ctx: Store
    type_params: []
    value: Name @1:0-1:1
      id: "int"
      ctx: Load
  body[5]: AugAssign @1:0-1:1
    target: Name @1:0-1:1
      id: "x"
      ctx: Store
    op: FloorDiv
    value: Constant @1:0-1:1
      value: int:1
      kind: None
  body[6]: AnnAssign @1:0-1:1
    target: Name @1:0-1:1
      id: "x"
      ctx: Load
    annotation: Name @1:0-1:1
      id: "int"
      ctx: Load
    value: None
    simple: 1
  body[7]: For @1:0-1:1
    target: Name @1:0-1:1
      id: "i"
      ctx: Load
    iter: Name @1:0-1:1
      id: "it"
      ctx: Load
    body[0]: Pass @1:0-1:1
    orelse[0]: Pass @1:0-1:1
    type_comment: None
  body[8]: AsyncFor @1:0-1:1
    target: Name @1:0-1:1
      id: "i"
      ctx: Load
    iter: Name @1:0-1:1
      id: "it"
      ctx: Load
    body[0]: Pass @1:0-1:1
    orelse: []
    type_comment: None
  body[9]: While @1:0-1:1
    test: Constant @1:0-1:1
      value: int:1
      kind: None
    body[0]: Pass @1:0-1:1
    orelse: []
  body[10]: If @1:0-1:1
    test: Constant @1:0-1:1
      value: int:1
      kind: None
    body[0]: Pass @1:0-1:1
    orelse[0]: If @1:0-1:1
      test: Name @1:0-1:1
        id: "b"
        ctx: Load
      body: []
      orelse: []
  body[11]: With @1:0-1:1
    items[0]: withitem
      context_expr: Name @1:0-1:1
        id: "a"
        ctx: Load
      optional_vars: Name @1:0-1:1
        id: "b"
        ctx: Load
    items[1]: withitem
      context_expr: Name @1:0-1:1
        id: "c"
        ctx: Load
      optional_vars: None
    body: []
    type_comment: None
  body[12]: AsyncWith @1:0-1:1
    items[0]: withitem
      context_expr: Name @1:0-1:1
        id: "a"
        ctx: Load
      optional_vars: None
    body: []
    type_comment: None
  body[13]: Match @1:0-1:1
    subject: Name @1:0-1:1
      id: "x"
      ctx: Load
    cases[0]: match_case
      pattern: MatchValue @1:0-1:1
        value: Constant @1:0-1:1
          value: int:1
          kind: None
      guard: Name @1:0-1:1
        id: "g"
        ctx: Load
      body: []
    cases[1]: match_case
      pattern: MatchSingleton @1:0-1:1
        value: None
      guard: None
      body: []
    cases[2]: match_case
      pattern: MatchSequence @1:0-1:1
        patterns[0]: MatchStar @1:0-1:1
          name: "rest"
        patterns[1]: MatchStar @1:0-1:1
          name: None
      guard: None
      body: []
    cases[3]: match_case
      pattern: MatchMapping @1:0-1:1
        keys[0]: Constant @1:0-1:1
          value: int:1
          kind: None
        patterns[0]: MatchAs @1:0-1:1
          pattern: None
          name: None
        rest: "r"
      guard: None
      body: []
    cases[4]: match_case
      pattern: MatchClass @1:0-1:1
        cls: Name @1:0-1:1
          id: "P"
          ctx: Load
        patterns[0]: MatchAs @1:0-1:1
          pattern: None
          name: "a"
        kwd_attrs[0]: "x"
        kwd_patterns[0]: MatchAs @1:0-1:1
          pattern: MatchAs @1:0-1:1
            pattern: None
            name: None
          name: "b"
      guard: None
      body: []
    cases[5]: match_case
      pattern: MatchOr @1:0-1:1
        patterns[0]: MatchSingleton @1:0-1:1
          value: True
      guard: None
      body: []
  body[14]: Raise @1:0-1:1
    exc: Name @1:0-1:1
      id: "E"
      ctx: Load
    cause: Name @1:0-1:1
      id: "c"
      ctx: Load
  body[15]: Try @1:0-1:1
    body[0]: Pass @1:0-1:1
    handlers[0]: ExceptHandler @1:0-1:1
      type: Name @1:0-1:1
        id: "E"
        ctx: Load
      name: "e"
      body: []
    handlers[1]: ExceptHandler @1:0-1:1
      type: None
      name: None
      body: []
    orelse: []
    finalbody[0]: Pass @1:0-1:1
  body[16]: TryStar @1:0-1:1
    body: []
    handlers[0]: ExceptHandler @1:0-1:1
      type: Name @1:0-1:1
        id: "E"
        ctx: Load
      name: None
      body: []
    orelse[0]: Pass @1:0-1:1
    finalbody: []
  body[17]: Assert @1:0-1:1
    test: Constant @1:0-1:1
      value: int:1
      kind: None
    msg: Name @1:0-1:1
      id: "m"
      ctx: Load
  body[18]: Import @1:0-1:1
    names[0]: alias @1:0-1:1
      name: "a.b"
      asname: "c"
  body[19]: ImportFrom @1:0-1:1
    module: None
    names[0]: alias @1:0-1:1
      name: "*"
      asname: None
    level: 2
  body[20]: ImportFrom @1:0-1:1
    module: "m"
    names[0]: alias @1:0-1:1
      name: "x"
      asname: None
    level: 0
  body[21]: Global @1:0-1:1
    names[0]: "a"
    names[1]: "b"
  body[22]: Nonlocal @1:0-1:1
    names[0]: "c"
  body[23]: Expr @1:0-1:1
    value: Tuple @1:0-1:1
      elts[0]: BoolOp @1:0-1:1
        op: Or
        values[0]: Name @1:0-1:1
          id: "a"
          ctx: Load
        values[1]: Name @1:0-1:1
          id: "b"
          ctx: Load
      elts[1]: NamedExpr @1:0-1:1
        target: Name @1:0-1:1
          id: "x"
          ctx: Store
        value: Constant @1:0-1:1
          value: int:1
          kind: None
      elts[2]: BinOp @1:0-1:1
        left: Constant @1:0-1:1
          value: int:1
          kind: None
        op: MatMult
        right: Constant @1:0-1:1
          value: int:1
          kind: None
      elts[3]: UnaryOp @1:0-1:1
        op: Not
        operand: Constant @1:0-1:1
          value: int:1
          kind: None
      elts[4]: Lambda @1:0-1:1
        args: arguments
          posonlyargs: []
          args: []
          vararg: None
          kwonlyargs: []
          kw_defaults: []
          kwarg: None
          defaults: []
        body: Constant @1:0-1:1
          value: int:1
          kind: None
      elts[5]: IfExp @1:0-1:1
        test: Constant @1:0-1:1
          value: int:1
          kind: None
        body: Constant @1:0-1:1
          value: int:1
          kind: None
        orelse: Constant @1:0-1:1
          value: int:1
          kind: None
      elts[6]: Dict @1:0-1:1
        keys[0]: Constant @1:0-1:1
          value: int:1
          kind: None
        keys[1]: None
        values[0]: Constant @1:0-1:1
          value: int:1
          kind: None
        values[1]: Name @1:0-1:1
          id: "d"
          ctx: Load
      elts[7]: Set @1:0-1:1
        elts[0]: Constant @1:0-1:1
          value: int:1
          kind: None
      elts[8]: ListComp @1:0-1:1
        elt: Name @1:0-1:1
          id: "x"
          ctx: Load
        generators[0]: comprehension
          target: Name @1:0-1:1
            id: "x"
            ctx: Load
          iter: Name @1:0-1:1
            id: "y"
            ctx: Load
          ifs[0]: Name @1:0-1:1
            id: "z"
            ctx: Load
          is_async: 1
      elts[9]: SetComp @1:0-1:1
        elt: Name @1:0-1:1
          id: "x"
          ctx: Load
        generators[0]: comprehension
          target: Name @1:0-1:1
            id: "x"
            ctx: Load
          iter: Name @1:0-1:1
            id: "y"
            ctx: Load
          ifs[0]: Name @1:0-1:1
            id: "z"
            ctx: Load
          is_async: 1
      elts[10]: DictComp @1:0-1:1
        key: Name @1:0-1:1
          id: "k"
          ctx: Load
        value: Name @1:0-1:1
          id: "v"
          ctx: Load
        generators[0]: comprehension
          target: Name @1:0-1:1
            id: "x"
            ctx: Load
          iter: Name @1:0-1:1
            id: "y"
            ctx: Load
          ifs[0]: Name @1:0-1:1
            id: "z"
            ctx: Load
          is_async: 1
      elts[11]: GeneratorExp @1:0-1:1
        elt: Name @1:0-1:1
          id: "x"
          ctx: Load
        generators[0]: comprehension
          target: Name @1:0-1:1
            id: "x"
            ctx: Load
          iter: Name @1:0-1:1
            id: "y"
            ctx: Load
          ifs[0]: Name @1:0-1:1
            id: "z"
            ctx: Load
          is_async: 1
      elts[12]: Await @1:0-1:1
        value: Name @1:0-1:1
          id: "a"
          ctx: Load
      elts[13]: Yield @1:0-1:1
        value: None
      elts[14]: YieldFrom @1:0-1:1
        value: Name @1:0-1:1
          id: "a"
          ctx: Load
      elts[15]: Compare @1:0-1:1
        left: Constant @1:0-1:1
          value: int:1
          kind: None
        ops[0]: NotIn
        ops[1]: IsNot
        comparators[0]: Constant @1:0-1:1
          value: int:1
          kind: None
        comparators[1]: Constant @1:0-1:1
          value: int:1
          kind: None
      elts[16]: Call @1:0-1:1
        func: Name @1:0-1:1
          id: "f"
          ctx: Load
        args[0]: Starred @1:0-1:1
          value: Name @1:0-1:1
            id: "a"
            ctx: Load
          ctx: Load
        keywords: []
      elts[17]: JoinedStr @1:0-1:1
        values[0]: Constant @1:0-1:1
          value: str:"x="
          kind: None
        values[1]: FormattedValue @1:0-1:1
          value: Name @1:0-1:1
            id: "x"
            ctx: Load
          conversion: 114
          format_spec: JoinedStr @1:0-1:1
            values[0]: Constant @1:0-1:1
              value: str:".2f"
              kind: None
      elts[18]: TemplateStr @1:0-1:1
        values[0]: Interpolation @1:0-1:1
          value: Name @1:0-1:1
            id: "x"
            ctx: Load
          str: "x"
          conversion: -1
          format_spec: None
      elts[19]: Constant @1:0-1:1
        value: str:"u"
        kind: "u"
      elts[20]: Attribute @1:0-1:1
        value: Name @1:0-1:1
          id: "a"
          ctx: Load
        attr: "b"
        ctx: Store
      elts[21]: Subscript @1:0-1:1
        value: Name @1:0-1:1
          id: "a"
          ctx: Load
        slice: Slice @1:0-1:1
          lower: None
          upper: None
          step: Constant @1:0-1:1
            value: int:1
            kind: None
        ctx: Del
      elts[22]: List @1:0-1:1
        elts[0]: Starred @1:0-1:1
          value: Name @1:0-1:1
            id: "s"
            ctx: Load
          ctx: Store
        ctx: Store
      ctx: Load
  type_ignores: []
`
