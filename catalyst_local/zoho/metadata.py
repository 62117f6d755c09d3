"""The standard CRM modules the sandbox org has, with the field metadata Zoho publishes for them.

Field sets are a representative subset of each module's standard layout, not all of it. Mandatory
fields and duplicate checks follow Zoho's defaults for bulk write.
"""

from __future__ import annotations

from dataclasses import dataclass

SYSTEM_FIELDS = ("Created_Time", "Modified_Time", "Created_By", "Modified_By")

# Bulk write refuses these even though the records API serves some of them.
UNSUPPORTED_MODULES = ("Calls", "Events", "Notes", "Users", "Attachments")


@dataclass(frozen=True)
class Field:
    api_name: str
    data_type: str = "text"
    length: int = 255
    mandatory: bool = False
    unique: bool = False
    lookup: str | None = None  # the target module of a lookup
    picklist: tuple[str, ...] = ()
    read_only: bool = False

    @property
    def label(self) -> str:
        return self.api_name.replace("_", " ")


@dataclass(frozen=True)
class Module:
    api_name: str
    id: str
    display_field: str
    fields: tuple[Field, ...]

    def field(self, api_name: str) -> Field | None:
        return next((f for f in self.fields if f.api_name == api_name), None)

    @property
    def mandatory(self) -> list[Field]:
        return [f for f in self.fields if f.mandatory]

    @property
    def unique_field(self) -> Field | None:
        """The field the module's default duplicate check runs on."""
        return next((f for f in self.fields if f.unique), None)

    @property
    def plural_label(self) -> str:
        return self.api_name.replace("_", " ")


def _common(*own: Field) -> tuple[Field, ...]:
    return (
        Field("Owner", "ownerlookup"),
        *own,
        Field("Created_By", "ownerlookup", read_only=True),
        Field("Modified_By", "ownerlookup", read_only=True),
        Field("Created_Time", "datetime", read_only=True),
        Field("Modified_Time", "datetime", read_only=True),
    )


SOURCES = ("Advertisement", "Cold Call", "Employee Referral", "Online Store", "Partner",
           "Trade Show", "Web Download")
INDUSTRIES = ("ASP", "Data/Telecom OEM", "ERP", "Government/Military", "Large Enterprise",
              "Management ISV", "Non-management ISV", "Service Provider")
DEAL_STAGES = ("Qualification", "Needs Analysis", "Value Proposition", "Proposal/Price Quote",
               "Negotiation/Review", "Closed Won", "Closed Lost")


def _build() -> dict[str, Module]:
    desc = Field("Description", "textarea", length=32000)
    specs = [
        ("Leads", "Last_Name", (
            Field("First_Name", length=40), Field("Last_Name", length=80, mandatory=True),
            Field("Company", length=200, mandatory=True), Field("Email", "email", unique=True),
            Field("Phone", "phone", length=30), Field("Mobile", "phone", length=30),
            Field("Title", length=100), Field("Website", "website"),
            Field("Lead_Source", "picklist", picklist=SOURCES),
            Field("Lead_Status", "picklist", picklist=("Attempted to Contact", "Contacted",
                                                        "Not Contacted", "Junk Lead")),
            Field("Industry", "picklist", picklist=INDUSTRIES),
            Field("Annual_Revenue", "currency", length=16),
            Field("No_of_Employees", "integer", length=9), Field("Email_Opt_Out", "boolean"),
            Field("City", length=100), Field("Country", length=100),
            # A custom multi-select field the sandbox org adds to its Leads layout.
            Field("Products_of_Interest", "multiselectpicklist",
                  picklist=("Hardware", "Software", "Services")),
            desc)),
        ("Contacts", "Last_Name", (
            Field("First_Name", length=40), Field("Last_Name", length=80, mandatory=True),
            Field("Email", "email", unique=True), Field("Phone", "phone", length=30),
            Field("Account_Name", "lookup", lookup="Accounts"),
            Field("Date_of_Birth", "date"), Field("Title", length=100),
            Field("Department", length=100), Field("Lead_Source", "picklist", picklist=SOURCES),
            Field("Mailing_City", length=100), Field("Email_Opt_Out", "boolean"), desc)),
        ("Accounts", "Account_Name", (
            Field("Account_Name", length=200, mandatory=True, unique=True),
            Field("Phone", "phone", length=30), Field("Website", "website"),
            Field("Industry", "picklist", picklist=INDUSTRIES),
            Field("Account_Type", "picklist", picklist=("Analyst", "Competitor", "Customer",
                                                         "Partner", "Prospect", "Other")),
            Field("Annual_Revenue", "currency", length=16),
            Field("Employees", "integer", length=9), Field("Billing_City", length=30), desc)),
        ("Deals", "Deal_Name", (
            Field("Deal_Name", length=120, mandatory=True, unique=True),
            Field("Stage", "picklist", mandatory=True, picklist=DEAL_STAGES),
            Field("Closing_Date", "date", mandatory=True),
            Field("Account_Name", "lookup", mandatory=True, lookup="Accounts"),
            Field("Contact_Name", "lookup", lookup="Contacts"),
            Field("Amount", "currency", length=16), Field("Probability", "integer", length=3),
            Field("Lead_Source", "picklist", picklist=SOURCES), desc)),
        ("Products", "Product_Name", (
            Field("Product_Name", length=120, mandatory=True, unique=True),
            Field("Product_Code", length=40), Field("Unit_Price", "currency", length=16),
            Field("Qty_in_Stock", "double", length=16), Field("Product_Active", "boolean"),
            Field("Product_Category", "picklist", picklist=("Hardware", "Software")), desc)),
        ("Campaigns", "Campaign_Name", (
            Field("Campaign_Name", length=120, mandatory=True, unique=True),
            Field("Type", "picklist", picklist=("Conference", "Email", "Webinar", "Others")),
            Field("Status", "picklist", picklist=("Planning", "Active", "Inactive",
                                                   "Complete")),
            Field("Start_Date", "date"), Field("End_Date", "date"),
            Field("Budgeted_Cost", "currency", length=16), desc)),
        ("Vendors", "Vendor_Name", (
            Field("Vendor_Name", length=120, mandatory=True, unique=True),
            Field("Email", "email"), Field("Phone", "phone", length=30),
            Field("Website", "website"), Field("Category", length=100), desc)),
        ("Price_Books", "Price_Book_Name", (
            Field("Price_Book_Name", length=120, mandatory=True, unique=True),
            Field("Active", "boolean"),
            Field("Pricing_Model", "picklist", picklist=("Flat", "Differential")), desc)),
        ("Tasks", "Subject", (
            Field("Subject", length=300, mandatory=True), Field("Due_Date", "date"),
            Field("Status", "picklist", picklist=("Not Started", "Deferred", "In Progress",
                                                   "Completed")),
            Field("Priority", "picklist", picklist=("High", "Highest", "Low", "Lowest",
                                                     "Normal")), desc)),
        ("Cases", "Subject", (
            Field("Subject", length=300, mandatory=True),
            Field("Status", "picklist", picklist=("New", "On Hold", "Escalated", "Closed")),
            Field("Priority", "picklist", picklist=("High", "Medium", "Low")),
            Field("Case_Origin", "picklist", picklist=("Email", "Phone", "Web")),
            Field("Email", "email"), desc)),
        ("Solutions", "Solution_Title", (
            Field("Solution_Title", length=300, mandatory=True),
            Field("Status", "picklist", picklist=("Draft", "Reviewed", "Published")),
            Field("Question", "textarea", length=32000),
            Field("Answer", "textarea", length=32000))),
    ]
    # TODO: inventory modules need their line items through a parent-child import in the cloud;
    # the sandbox accepts them without line items.
    for name, extra in (("Quotes", Field("Valid_Till", "date")),
                        ("Sales_Orders", Field("Due_Date", "date")),
                        ("Purchase_Orders", Field("PO_Date", "date")),
                        ("Invoices", Field("Invoice_Date", "date"))):
        lookup = (Field("Vendor_Name", "lookup", lookup="Vendors") if name == "Purchase_Orders"
                  else Field("Account_Name", "lookup", lookup="Accounts"))
        specs.append((name, "Subject", (
            Field("Subject", length=300, mandatory=True, unique=True), lookup, extra,
            Field("Status", "picklist", picklist=("Draft", "Created", "Approved",
                                                   "Delivered")), desc)))
    modules = {}
    for index, (name, display, own) in enumerate(specs):
        modules[name] = Module(name, f"5725767000000002{index:03d}", display, _common(*own))
    return modules


MODULES: dict[str, Module] = _build()
