//! Newtype ids, so an id of one kind cannot be passed where another belongs.

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id_type!(
    /// A login of the business's staff or of a portal customer.
    UserId,
    /// A company or person the business deals with.
    PartyId,
    /// An API token of a user.
    TokenId,
    /// A position in the audit journal (gapless, starting at 1).
    EventSeq,
    /// A good or a service the business sells.
    ProductId,
    /// A VAT rate products are sold under.
    TaxRateId,
    /// A place where goods are kept.
    WarehouseId,
    /// One posted change of stock (never changed afterwards).
    StockMoveId,
    /// A customer's order.
    SalesOrderId,
    /// An offer to a customer, which may become an order.
    SalesQuoteId,
    /// What a group of customers pays for products.
    PriceListId,
);
