-- Postfixadmin's tables as its upgrade.php creates them for PostgreSQL (active is a boolean there), for the
-- pgsql: table tests.
CREATE TABLE domain (
  domain varchar(255) NOT NULL PRIMARY KEY,
  description varchar(255) NOT NULL DEFAULT '',
  aliases integer NOT NULL DEFAULT 0,
  mailboxes integer NOT NULL DEFAULT 0,
  maxquota bigint NOT NULL DEFAULT 0,
  quota bigint NOT NULL DEFAULT 0,
  transport varchar(255) DEFAULT NULL,
  backupmx boolean NOT NULL DEFAULT false,
  created timestamp with time zone DEFAULT now(),
  modified timestamp with time zone DEFAULT now(),
  active boolean NOT NULL DEFAULT true
);

CREATE TABLE mailbox (
  username varchar(255) NOT NULL PRIMARY KEY,
  password varchar(255) NOT NULL DEFAULT '',
  name varchar(255) NOT NULL DEFAULT '',
  maildir varchar(255) NOT NULL DEFAULT '',
  quota bigint NOT NULL DEFAULT 0,
  local_part varchar(255) NOT NULL,
  domain varchar(255) REFERENCES domain,
  created timestamp with time zone DEFAULT now(),
  modified timestamp with time zone DEFAULT now(),
  active boolean NOT NULL DEFAULT true
);
CREATE INDEX mailbox_domain_idx ON mailbox (domain);

CREATE TABLE alias (
  address varchar(255) NOT NULL PRIMARY KEY,
  goto text NOT NULL,
  domain varchar(255) NOT NULL REFERENCES domain,
  created timestamp with time zone DEFAULT now(),
  modified timestamp with time zone DEFAULT now(),
  active boolean NOT NULL DEFAULT true
);
CREATE INDEX alias_address_active ON alias (address, active);
CREATE INDEX alias_domain_idx ON alias (domain);

CREATE TABLE alias_domain (
  alias_domain varchar(255) NOT NULL PRIMARY KEY REFERENCES domain (domain) ON DELETE CASCADE,
  target_domain varchar(255) NOT NULL REFERENCES domain (domain) ON DELETE CASCADE,
  created timestamp with time zone DEFAULT now(),
  modified timestamp with time zone DEFAULT now(),
  active boolean NOT NULL DEFAULT true
);
CREATE INDEX alias_domain_active ON alias_domain (alias_domain, active);
