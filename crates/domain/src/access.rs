//! Roles and permissions. Access is denied unless a role grants a permission;
//! a route, a command or a menu entry names the one permission it needs.

/// A named capability action. The string form (`parties.read`) is what API
/// token scopes and the docs use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Permission {
    PartiesRead,
    PartiesWrite,
    PartiesImport,
    PartiesExport,
    UsersAdmin,
    AuditRead,
    LedgerRead,
    LedgerPost,
    LedgerAdmin,
    ProductsRead,
    ProductsWrite,
    StockRead,
    StockWrite,
    SalesOrderRead,
    SalesOrderWrite,
    SalesOrderConfirm,
    SalesOrderShip,
    InvoicesRead,
    InvoicesWrite,
    InvoicesPost,
    PaymentsRecord,
    ReceptionUse,
    CrmUse,
    SalesUse,
    ServiceUse,
    /// Sets the desk's service levels: working hours and SLA targets.
    ServiceAdmin,
    MarketingUse,
    AccountingUse,
    InventoryUse,
    PurchasingUse,
    HrUse,
    HrManage,
    PayrollUse,
    ItUse,
    ContractsUse,
    DocumentsUse,
    InsightsUse,
    PortalUse,
    /// Hands incoming e-mail to the service desk (a mail gateway's token).
    MailIngest,
}

impl Permission {
    pub const ALL: [Permission; 39] = [
        Permission::PartiesRead,
        Permission::PartiesWrite,
        Permission::PartiesImport,
        Permission::PartiesExport,
        Permission::UsersAdmin,
        Permission::AuditRead,
        Permission::LedgerRead,
        Permission::LedgerPost,
        Permission::LedgerAdmin,
        Permission::ProductsRead,
        Permission::ProductsWrite,
        Permission::StockRead,
        Permission::StockWrite,
        Permission::SalesOrderRead,
        Permission::SalesOrderWrite,
        Permission::SalesOrderConfirm,
        Permission::SalesOrderShip,
        Permission::InvoicesRead,
        Permission::InvoicesWrite,
        Permission::InvoicesPost,
        Permission::PaymentsRecord,
        Permission::ReceptionUse,
        Permission::CrmUse,
        Permission::SalesUse,
        Permission::ServiceUse,
        Permission::ServiceAdmin,
        Permission::MarketingUse,
        Permission::AccountingUse,
        Permission::InventoryUse,
        Permission::PurchasingUse,
        Permission::HrUse,
        Permission::HrManage,
        Permission::PayrollUse,
        Permission::ItUse,
        Permission::ContractsUse,
        Permission::DocumentsUse,
        Permission::InsightsUse,
        Permission::PortalUse,
        Permission::MailIngest,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Permission::PartiesRead => "parties.read",
            Permission::PartiesWrite => "parties.write",
            Permission::PartiesImport => "parties.import",
            Permission::PartiesExport => "parties.export",
            Permission::UsersAdmin => "users.admin",
            Permission::AuditRead => "audit.read",
            Permission::LedgerRead => "ledger.read",
            Permission::LedgerPost => "ledger.post",
            Permission::LedgerAdmin => "ledger.admin",
            Permission::ProductsRead => "products.read",
            Permission::ProductsWrite => "products.write",
            Permission::StockRead => "stock.read",
            Permission::StockWrite => "stock.write",
            Permission::SalesOrderRead => "sales.order.read",
            Permission::SalesOrderWrite => "sales.order.write",
            Permission::SalesOrderConfirm => "sales.order.confirm",
            Permission::SalesOrderShip => "sales.order.ship",
            Permission::InvoicesRead => "invoices.read",
            Permission::InvoicesWrite => "invoices.write",
            Permission::InvoicesPost => "invoices.post",
            Permission::PaymentsRecord => "payments.record",
            Permission::ReceptionUse => "reception.use",
            Permission::CrmUse => "crm.use",
            Permission::SalesUse => "sales.use",
            Permission::ServiceUse => "service.use",
            Permission::ServiceAdmin => "service.admin",
            Permission::MarketingUse => "marketing.use",
            Permission::AccountingUse => "accounting.use",
            Permission::InventoryUse => "inventory.use",
            Permission::PurchasingUse => "purchasing.use",
            Permission::HrUse => "hr.use",
            Permission::HrManage => "hr.manage",
            Permission::PayrollUse => "payroll.use",
            Permission::ItUse => "it.use",
            Permission::ContractsUse => "contracts.use",
            Permission::DocumentsUse => "documents.use",
            Permission::InsightsUse => "insights.use",
            Permission::PortalUse => "portal.use",
            Permission::MailIngest => "mail.ingest",
        }
    }

    pub fn parse(name: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// A job a user does. Staff roles combine; a portal customer is a separate
/// kind of user tied to one party.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Admin,
    Manager,
    Receptionist,
    Sales,
    Marketing,
    Service,
    Accountant,
    Hr,
    It,
    Warehouse,
    Purchasing,
    /// Staff with no back-office job in Seam: their own HR record, leave
    /// and (for managers) their team's requests, through self-service.
    Employee,
    Portal,
}

impl Role {
    pub const ALL: [Role; 13] = [
        Role::Admin,
        Role::Manager,
        Role::Receptionist,
        Role::Sales,
        Role::Marketing,
        Role::Service,
        Role::Accountant,
        Role::Hr,
        Role::It,
        Role::Warehouse,
        Role::Purchasing,
        Role::Employee,
        Role::Portal,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Receptionist => "receptionist",
            Role::Sales => "sales",
            Role::Marketing => "marketing",
            Role::Service => "service",
            Role::Accountant => "accountant",
            Role::Hr => "hr",
            Role::It => "it",
            Role::Warehouse => "warehouse",
            Role::Purchasing => "purchasing",
            Role::Employee => "employee",
            Role::Portal => "portal",
        }
    }

    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name.trim())
    }

    /// What this role may do. The one table that grants access.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::Admin => &Permission::ALL,
            Role::Manager => &[
                PartiesRead,
                PartiesWrite,
                PartiesImport,
                PartiesExport,
                AuditRead,
                LedgerRead,
                ProductsRead,
                ProductsWrite,
                StockRead,
                StockWrite,
                SalesOrderRead,
                SalesOrderWrite,
                SalesOrderConfirm,
                SalesOrderShip,
                InvoicesRead,
                ReceptionUse,
                CrmUse,
                SalesUse,
                ServiceUse,
                ServiceAdmin,
                MarketingUse,
                AccountingUse,
                InventoryUse,
                PurchasingUse,
                HrUse,
                PayrollUse,
                ItUse,
                ContractsUse,
                DocumentsUse,
                InsightsUse,
            ],
            Role::Receptionist => &[
                PartiesRead,
                PartiesWrite,
                ProductsRead,
                StockRead,
                SalesOrderRead,
                InvoicesRead,
                ReceptionUse,
                CrmUse,
                ServiceUse,
            ],
            Role::Sales => &[
                PartiesRead,
                PartiesWrite,
                PartiesImport,
                PartiesExport,
                ProductsRead,
                ProductsWrite,
                StockRead,
                SalesOrderRead,
                SalesOrderWrite,
                SalesOrderConfirm,
                InvoicesRead,
                CrmUse,
                SalesUse,
                InsightsUse,
            ],
            Role::Marketing => &[
                PartiesRead,
                PartiesImport,
                PartiesExport,
                CrmUse,
                MarketingUse,
            ],
            Role::Service => &[
                PartiesRead,
                PartiesWrite,
                ProductsRead,
                StockRead,
                SalesOrderRead,
                InvoicesRead,
                CrmUse,
                ServiceUse,
            ],
            Role::Accountant => &[
                PartiesRead,
                PartiesWrite,
                PartiesExport,
                AuditRead,
                LedgerRead,
                LedgerPost,
                LedgerAdmin,
                ProductsRead,
                ProductsWrite,
                StockRead,
                SalesOrderRead,
                InvoicesRead,
                InvoicesWrite,
                InvoicesPost,
                PaymentsRecord,
                AccountingUse,
                PurchasingUse,
                InsightsUse,
            ],
            Role::Hr => &[HrUse, HrManage, PayrollUse, DocumentsUse],
            Role::It => &[ItUse, DocumentsUse],
            Role::Warehouse => &[
                PartiesRead,
                ProductsRead,
                StockRead,
                StockWrite,
                SalesOrderRead,
                SalesOrderShip,
                InventoryUse,
                PurchasingUse,
            ],
            Role::Purchasing => &[
                PartiesRead,
                PartiesWrite,
                ProductsRead,
                ProductsWrite,
                StockRead,
                StockWrite,
                PurchasingUse,
                InventoryUse,
            ],
            Role::Employee => &[],
            Role::Portal => &[PortalUse],
        }
    }
}

/// The permissions a set of roles grants, optionally narrowed to a token's scopes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants(Vec<Permission>);

impl Grants {
    pub fn for_roles(roles: &[Role]) -> Grants {
        let mut granted: Vec<Permission> = roles
            .iter()
            .flat_map(|r| r.permissions())
            .copied()
            .collect();
        granted.sort();
        granted.dedup();
        Grants(granted)
    }

    /// A token never grants more than its user has.
    pub fn narrowed_to(self, scopes: &[Permission]) -> Grants {
        Grants(self.0.into_iter().filter(|p| scopes.contains(p)).collect())
    }

    pub fn allows(&self, permission: Permission) -> bool {
        self.0.contains(&permission)
    }

    pub fn iter(&self) -> impl Iterator<Item = Permission> + '_ {
        self.0.iter().copied()
    }
}

/// Which half of the business an area belongs to, for the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AreaGroup {
    FrontOffice,
    BackOffice,
    Insights,
}

/// A section of the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Reception,
    Crm,
    Sales,
    Service,
    Marketing,
    Accounting,
    Inventory,
    Purchasing,
    Hr,
    Payroll,
    It,
    Contracts,
    Documents,
    Insights,
}

impl Area {
    pub const ALL: [Area; 14] = [
        Area::Reception,
        Area::Crm,
        Area::Sales,
        Area::Service,
        Area::Marketing,
        Area::Accounting,
        Area::Inventory,
        Area::Purchasing,
        Area::Hr,
        Area::Payroll,
        Area::It,
        Area::Contracts,
        Area::Documents,
        Area::Insights,
    ];

    /// The url slug and message-catalogue suffix (`area-crm`).
    pub fn slug(self) -> &'static str {
        match self {
            Area::Reception => "reception",
            Area::Crm => "crm",
            Area::Sales => "sales",
            Area::Service => "service",
            Area::Marketing => "marketing",
            Area::Accounting => "accounting",
            Area::Inventory => "inventory",
            Area::Purchasing => "purchasing",
            Area::Hr => "hr",
            Area::Payroll => "payroll",
            Area::It => "it",
            Area::Contracts => "contracts",
            Area::Documents => "documents",
            Area::Insights => "insights",
        }
    }

    pub fn parse(slug: &str) -> Option<Area> {
        Area::ALL.into_iter().find(|a| a.slug() == slug)
    }

    pub fn group(self) -> AreaGroup {
        match self {
            Area::Reception | Area::Crm | Area::Sales | Area::Service | Area::Marketing => {
                AreaGroup::FrontOffice
            }
            Area::Insights => AreaGroup::Insights,
            _ => AreaGroup::BackOffice,
        }
    }

    pub fn permission(self) -> Permission {
        match self {
            Area::Reception => Permission::ReceptionUse,
            Area::Crm => Permission::CrmUse,
            Area::Sales => Permission::SalesUse,
            Area::Service => Permission::ServiceUse,
            Area::Marketing => Permission::MarketingUse,
            Area::Accounting => Permission::AccountingUse,
            Area::Inventory => Permission::InventoryUse,
            Area::Purchasing => Permission::PurchasingUse,
            Area::Hr => Permission::HrUse,
            Area::Payroll => Permission::PayrollUse,
            Area::It => Permission::ItUse,
            Area::Contracts => Permission::ContractsUse,
            Area::Documents => Permission::DocumentsUse,
            Area::Insights => Permission::InsightsUse,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_names_round_trip() {
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.name()), Some(p));
        }
    }

    #[test]
    fn accountant_cannot_use_hr_but_hr_officer_can() {
        assert!(!Grants::for_roles(&[Role::Accountant]).allows(Permission::HrUse));
        assert!(Grants::for_roles(&[Role::Hr]).allows(Permission::HrUse));
    }

    #[test]
    fn a_token_scope_never_widens_the_users_grants() {
        let grants = Grants::for_roles(&[Role::Marketing])
            .narrowed_to(&[Permission::PartiesWrite, Permission::PartiesRead]);
        assert!(grants.allows(Permission::PartiesRead));
        assert!(!grants.allows(Permission::PartiesWrite));
    }

    #[test]
    fn products_are_read_across_the_front_and_back_office_but_priced_by_few() {
        let readers = [
            Role::Sales,
            Role::Service,
            Role::Warehouse,
            Role::Purchasing,
            Role::Accountant,
            Role::Manager,
            Role::Receptionist,
            Role::Admin,
        ];
        let writers = [
            Role::Sales,
            Role::Purchasing,
            Role::Accountant,
            Role::Manager,
            Role::Admin,
        ];
        for role in Role::ALL {
            let grants = Grants::for_roles(&[role]);
            assert_eq!(
                grants.allows(Permission::ProductsRead),
                readers.contains(&role),
                "{role:?} products.read"
            );
            assert_eq!(
                grants.allows(Permission::ProductsWrite),
                writers.contains(&role),
                "{role:?} products.write"
            );
        }
    }

    #[test]
    fn stock_is_read_widely_but_moved_only_by_the_warehouse_side() {
        use Role::*;
        let readers = [
            Warehouse,
            Purchasing,
            Sales,
            Service,
            Receptionist,
            Accountant,
            Manager,
            Admin,
        ];
        let writers = [Warehouse, Purchasing, Manager, Admin];
        for role in Role::ALL {
            let grants = Grants::for_roles(&[role]);
            assert_eq!(
                grants.allows(Permission::StockRead),
                readers.contains(&role),
                "{role:?} stock.read"
            );
            assert_eq!(
                grants.allows(Permission::StockWrite),
                writers.contains(&role),
                "{role:?} stock.write"
            );
        }
    }

    #[test]
    fn sales_orders_are_read_widely_but_written_and_confirmed_by_sales() {
        use Role::*;
        let readers = [
            Sales,
            Service,
            Receptionist,
            Warehouse,
            Accountant,
            Manager,
            Admin,
        ];
        let writers = [Sales, Manager, Admin];
        for role in Role::ALL {
            let grants = Grants::for_roles(&[role]);
            assert_eq!(
                grants.allows(Permission::SalesOrderRead),
                readers.contains(&role),
                "{role:?} sales.order.read"
            );
            for p in [Permission::SalesOrderWrite, Permission::SalesOrderConfirm] {
                assert_eq!(grants.allows(p), writers.contains(&role), "{role:?} {p:?}");
            }
        }
    }

    #[test]
    fn orders_are_shipped_by_the_warehouse_and_managers() {
        use Role::*;
        let shippers = [Warehouse, Manager, Admin];
        for role in Role::ALL {
            let grants = Grants::for_roles(&[role]);
            assert_eq!(
                grants.allows(Permission::SalesOrderShip),
                shippers.contains(&role),
                "{role:?} sales.order.ship"
            );
        }
    }

    #[test]
    fn portal_customers_get_nothing_of_the_back_office() {
        let grants = Grants::for_roles(&[Role::Portal]);
        assert_eq!(
            grants.iter().collect::<Vec<_>>(),
            vec![Permission::PortalUse]
        );
    }
}
