import { HAS_VALUES, IS_VALUES, type QueryNode, tokenize } from './ast.ts';

/** Raised for a query X would refuse; `message` is X's wording, `position` 1-based as X reports it. */
export class QuerySyntaxError extends Error {
  override readonly name = 'QuerySyntaxError';

  constructor(
    readonly reason: string,
    readonly position: number,
  ) {
    super(`There were errors processing your request: ${reason} (at position ${position})`);
  }
}

type Token =
  | { kind: 'lparen' | 'rparen' | 'or' | 'minus'; position: number }
  | { kind: 'term'; text: string; position: number }
  | { kind: 'phrase'; text: string; position: number };

/**
 * Parses X's search query language: keywords, `"phrases"`, `#hashtags`, `@mentions`, `from:`, `to:`,
 * `is:retweet|reply|quote|verified`, `has:`, `lang:`, `conversation_id:`, implicit AND, `OR`, `-` negation
 * and parentheses. As on X, AND binds tighter than OR, and a query needs one positive standalone clause.
 */
export function parseQuery(query: string): QueryNode {
  const tokens = lex(query);
  const parser = new Parser(tokens, query.length);
  const node = parser.parseOr();
  parser.expectEnd();
  if (!hasPositiveClause(node)) {
    throw new QuerySyntaxError(
      usesConjunctionOnly(node)
        ? 'is/has/lang cannot be used as a standalone operator'
        : 'Rules must contain at least one positive, non-stopword clause',
      1,
    );
  }
  return node;
}

function lex(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const ch = query.charAt(i);
    const position = i + 1;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '(' || ch === ')') {
      tokens.push({ kind: ch === '(' ? 'lparen' : 'rparen', position });
      i++;
    } else if (ch === '"') {
      const close = query.indexOf('"', i + 1);
      if (close < 0) throw new QuerySyntaxError('Missing closing quote', position);
      tokens.push({ kind: 'phrase', text: query.slice(i + 1, close), position });
      i = close + 1;
    } else if (ch === '-' && i + 1 < query.length && !/\s/.test(query.charAt(i + 1))) {
      tokens.push({ kind: 'minus', position });
      i++;
    } else {
      let end = i;
      while (end < query.length && !/[\s()"]/.test(query.charAt(end))) end++;
      const text = query.slice(i, end);
      tokens.push(text === 'OR' ? { kind: 'or', position } : { kind: 'term', text, position });
      i = end;
    }
  }
  return tokens;
}

class Parser {
  #index = 0;

  constructor(
    readonly tokens: readonly Token[],
    readonly length: number,
  ) {}

  parseOr(): QueryNode {
    const children = [this.#parseAnd()];
    while (this.#peek()?.kind === 'or') {
      this.#index++;
      children.push(this.#parseAnd());
    }
    return children.length === 1 && children[0] ? children[0] : { type: 'or', children };
  }

  expectEnd(): void {
    const token = this.#peek();
    if (token) throw new QuerySyntaxError(`missing EOF at '${describe(token)}'`, token.position);
  }

  #parseAnd(): QueryNode {
    const children: QueryNode[] = [];
    for (
      let token = this.#peek();
      token && token.kind !== 'or' && token.kind !== 'rparen';
      token = this.#peek()
    ) {
      children.push(this.#parseUnary());
    }
    if (children.length === 0) {
      const token = this.#peek();
      throw new QuerySyntaxError(
        `no viable alternative at input '${token ? describe(token) : '<EOF>'}'`,
        token?.position ?? this.length + 1,
      );
    }
    return children.length === 1 && children[0] ? children[0] : { type: 'and', children };
  }

  #parseUnary(): QueryNode {
    const token = this.#next();
    if (token.kind === 'minus') return { type: 'not', child: this.#parseUnary() };
    if (token.kind === 'lparen') {
      const inner = this.parseOr();
      if (this.#peek()?.kind !== 'rparen')
        throw new QuerySyntaxError('Missing closing parenthesis', token.position);
      this.#index++;
      return inner;
    }
    if (token.kind === 'phrase') return { type: 'phrase', tokens: tokenize(token.text) };
    if (token.kind === 'term') return term(token.text, token.position);
    throw new QuerySyntaxError(`no viable alternative at input '${describe(token)}'`, token.position);
  }

  #peek(): Token | undefined {
    return this.tokens[this.#index];
  }

  #next(): Token {
    const token = this.tokens[this.#index++];
    if (!token) throw new QuerySyntaxError("no viable alternative at input '<EOF>'", this.length + 1);
    return token;
  }
}

const OPERATOR = /^([a-z_]+):(.*)$/i;

function term(text: string, position: number): QueryNode {
  if (text.toLowerCase() === 'and') {
    throw new QuerySyntaxError(
      'Ambiguous use of and as a keyword. Use a space to logically join two clauses, or "and" to find occurrences of and in text',
      position,
    );
  }
  if (text.startsWith('#') || text.startsWith('@')) {
    const value = text.slice(1).toLowerCase();
    if (!/^[\p{L}\p{M}\p{N}_]+$/u.test(value)) {
      throw new QuerySyntaxError(`no viable alternative at input '${text}'`, position);
    }
    return text.startsWith('#') ? { type: 'hashtag', tag: value } : { type: 'mention', username: value };
  }
  const operator = OPERATOR.exec(text);
  if (operator) {
    const name = (operator[1] ?? '').toLowerCase();
    const value = (operator[2] ?? '').toLowerCase();
    const invalid = new QuerySyntaxError(`Reference to invalid operator '${text}'`, position);
    if (value === '') throw invalid;
    switch (name) {
      case 'from':
      case 'to':
        return { type: name, user: value.replace(/^@/, '') };
      case 'is':
        if (!isOneOf(IS_VALUES, value)) throw invalid;
        return { type: 'is', value };
      case 'has':
        if (!isOneOf(HAS_VALUES, value)) throw invalid;
        return { type: 'has', value };
      case 'lang':
        return { type: 'lang', code: value };
      case 'conversation_id':
        if (!/^\d{1,19}$/.test(value)) throw invalid;
        return { type: 'conversation_id', id: value };
      default:
        throw invalid;
    }
  }
  const tokens = tokenize(text);
  if (tokens.length === 0) throw new QuerySyntaxError(`no viable alternative at input '${text}'`, position);
  return { type: 'keyword', tokens };
}

function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'lparen':
      return '(';
    case 'rparen':
      return ')';
    case 'or':
      return 'OR';
    case 'minus':
      return '-';
    case 'phrase':
      return `"${token.text}"`;
    case 'term':
      return token.text;
  }
}

/** Whether the query can select posts by itself: X refuses queries made only of filters or negations. */
function hasPositiveClause(node: QueryNode): boolean {
  switch (node.type) {
    case 'and':
      return node.children.some(hasPositiveClause);
    case 'or':
      return node.children.every(hasPositiveClause);
    case 'not':
    case 'is':
    case 'has':
    case 'lang':
      return false;
    default:
      return true;
  }
}

function usesConjunctionOnly(node: QueryNode): boolean {
  switch (node.type) {
    case 'and':
    case 'or':
      return node.children.some(usesConjunctionOnly);
    case 'not':
      return usesConjunctionOnly(node.child);
    case 'is':
    case 'has':
    case 'lang':
      return true;
    default:
      return false;
  }
}
