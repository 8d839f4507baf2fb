namespace ms {}  // namespace ms
