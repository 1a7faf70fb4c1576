// A query cost limit for the public GraphQL endpoint. Depth is limited by mercurius
// (`queryDepth`); this rule limits breadth: the cost of an operation is the number of fields it
// selects, fragments expanded where they are spread and aliases counted, so a query cannot ask
// for the same heavy list a thousand times under different aliases. Resolvers are batched per
// level (loaders), so depth bounds the SQL and this bounds the work per level.
import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

export function queryCost(
  selectionSet: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  visiting = new Set<string>(),
): number {
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      cost += 1;
      if (selection.selectionSet) cost += queryCost(selection.selectionSet, fragments, visiting);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      cost += queryCost(selection.selectionSet, fragments, visiting);
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      // Unknown or cyclic fragments are reported by the standard rules; count nothing here.
      if (!fragment || visiting.has(name)) continue;
      visiting.add(name);
      cost += queryCost(fragment.selectionSet, fragments, visiting);
      visiting.delete(name);
    }
  }
  return cost;
}

export function costLimitRule(maxCost: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    Document(document) {
      const fragments = new Map<string, FragmentDefinitionNode>();
      for (const definition of document.definitions) {
        if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
      }
      for (const definition of document.definitions) {
        if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
        const cost = queryCost(definition.selectionSet, fragments);
        if (cost > maxCost) {
          const name = definition.name?.value ?? 'anonymous';
          context.reportError(
            new GraphQLError(
              `Query cost limit exceeded: operation "${name}" selects ${cost} fields (aliases and fragments counted), the limit is ${maxCost}.`,
              {
                nodes: [definition],
                extensions: { code: 'QUERY_COST_EXCEEDED', cost, max_cost: maxCost },
              },
            ),
          );
        }
      }
      return false;
    },
  });
}
