/// One page of a search: where it starts and how many entries at most.
public struct PageRequest: Sendable, Hashable {
    public var offset: Int
    public var count: Int

    public init(offset: Int, count: Int) {
        self.offset = offset
        self.count = count
    }
}

/// One page of results and the total number of matches.
public struct Page<Element: Sendable>: Sendable {
    public var total: Int
    public var items: [Element]

    public init(total: Int, items: [Element]) {
        self.total = total
        self.items = items
    }
}
