/// Bundle links for a page: `self`, and `next`/`previous` where there are more matches (C7).
enum Paging {
    static func links(base: String, parameters: SearchParameters, page: (offset: Int, count: Int), total: Int) -> [(relation: String, url: String)] {
        func url(_ offset: Int) -> String { "\(base)?\(parameters.query(offset: offset, count: page.count))" }
        var links = [(relation: "self", url: url(page.offset))]
        if page.count > 0, page.offset + page.count < total {
            links.append((relation: "next", url: url(page.offset + page.count)))
        }
        if page.count > 0, page.offset > 0 {
            links.append((relation: "previous", url: url(max(0, page.offset - page.count))))
        }
        return links
    }
}
