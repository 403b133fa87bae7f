//! The per-job-account baseline: how job marketplaces on Solana record work
//! (one account per job, a `submit` transaction that creates it and a
//! `finish` transaction that settles it). A small native program, hosted on
//! the same program-test bank as EdgeFuel so both pay the same fees and rent.
//!
//! It is deliberately generous to the baseline: the job account holds only
//! the receipt (the same 73 bytes EdgeFuel commits per leaf, plus the node
//! key and a status byte), `finish` checks and closes it in the same
//! transaction (rent comes back at once), and no token payment or verifier
//! registry adds accounts. What remains is the floor of the design: one
//! account and two signed transactions per job.
//!
//! Instructions (first data byte):
//! - `0` submit: `job_id[32] ‖ kind u8 ‖ work_units u64 LE ‖ output_commitment[32]`;
//!   accounts `[node (signer, writable, pays rent), job PDA (writable), system program]`;
//!   the job PDA has seeds `["job", node, job_id]`.
//! - `1` finish: `valid u8`; accounts `[verifier (signer), job (writable), node (writable)]`;
//!   records nothing further: the verdict is the transaction, the account is closed
//!   and its rent returned to the node.
use anchor_lang::prelude::{AccountInfo, AccountMeta, ProgramError, Pubkey, Rent, SolanaSysvar};
use anchor_lang::solana_program::account_info::next_account_info;
use anchor_lang::solana_program::entrypoint::ProgramResult;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::solana_program::program::invoke_signed;
use anchor_lang::solana_program::{system_instruction, system_program};
use edgefuel::proof::Receipt;

/// The baseline program's id (any fixed key: it is a native builtin).
pub const ID: Pubkey = Pubkey::new_from_array([
    0x0b, 0xa5, 0xe1, 0x13, 0xe0, 0x0b, 0x5a, 0xcc, 0x00, 0x1d, 0xed, 0x6e, 0xf0, 0xe1, 0x00, 0x01,
    0x0b, 0xa5, 0xe1, 0x13, 0xe0, 0x0b, 0x5a, 0xcc, 0x00, 0x1d, 0xed, 0x6e, 0xf0, 0xe1, 0x00, 0x02,
]);

/// Job account size: status u8, node key, job_id, kind, work_units, output_commitment.
pub const JOB_LEN: usize = 1 + 32 + 32 + 1 + 8 + 32;
const SUBMITTED: u8 = 1;
const SEED_JOB: &[u8] = b"job";

/// The job account of `job_id` submitted by `node`.
pub fn job_address(node: &Pubkey, job_id: &[u8; 32]) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[SEED_JOB, node.as_ref(), job_id], &ID)
}

/// `submit`: the node records one job's receipt in a new account.
pub fn submit_ix(node: &Pubkey, receipt: &Receipt) -> Instruction {
    let (job, _) = job_address(node, &receipt.job_id);
    let mut data = vec![0u8];
    data.extend_from_slice(&receipt.job_id);
    data.push(receipt.kind);
    data.extend_from_slice(&receipt.work_units.to_le_bytes());
    data.extend_from_slice(&receipt.output_commitment);
    Instruction {
        program_id: ID,
        accounts: vec![
            AccountMeta::new(*node, true),
            AccountMeta::new(job, false),
            AccountMeta::new_readonly(system_program::ID, false),
        ],
        data,
    }
}

/// `finish`: a verifier settles one job; its account is closed to the node.
pub fn finish_ix(verifier: &Pubkey, node: &Pubkey, job_id: &[u8; 32], valid: bool) -> Instruction {
    let (job, _) = job_address(node, job_id);
    Instruction {
        program_id: ID,
        accounts: vec![
            AccountMeta::new_readonly(*verifier, true),
            AccountMeta::new(job, false),
            AccountMeta::new(*node, false),
        ],
        data: vec![1, u8::from(valid)],
    }
}

/// The program (native entrypoint for `processor!`).
pub fn process_instruction(
    program_id: &Pubkey,
    accounts: &[AccountInfo],
    data: &[u8],
) -> ProgramResult {
    match data.split_first() {
        Some((0, rest)) if rest.len() == 73 => submit(program_id, accounts, rest),
        Some((1, [_valid])) => finish(program_id, accounts),
        _ => Err(ProgramError::InvalidInstructionData),
    }
}

fn submit(program_id: &Pubkey, accounts: &[AccountInfo], rest: &[u8]) -> ProgramResult {
    let it = &mut accounts.iter();
    let node = next_account_info(it)?;
    let job = next_account_info(it)?;
    let system = next_account_info(it)?;
    if !node.is_signer {
        return Err(ProgramError::MissingRequiredSignature);
    }
    let job_id: &[u8] = &rest[..32];
    let (expected, bump) =
        Pubkey::find_program_address(&[SEED_JOB, node.key.as_ref(), job_id], program_id);
    if expected != *job.key {
        return Err(ProgramError::InvalidSeeds);
    }
    let lamports = Rent::get()?.minimum_balance(JOB_LEN);
    invoke_signed(
        &system_instruction::create_account(
            node.key,
            job.key,
            lamports,
            JOB_LEN as u64,
            program_id,
        ),
        &[node.clone(), job.clone(), system.clone()],
        &[&[SEED_JOB, node.key.as_ref(), job_id, &[bump]]],
    )?;
    let mut d = job.try_borrow_mut_data()?;
    d[0] = SUBMITTED;
    d[1..33].copy_from_slice(node.key.as_ref());
    d[33..].copy_from_slice(rest);
    Ok(())
}

fn finish(program_id: &Pubkey, accounts: &[AccountInfo]) -> ProgramResult {
    let it = &mut accounts.iter();
    let verifier = next_account_info(it)?;
    let job = next_account_info(it)?;
    let node = next_account_info(it)?;
    if !verifier.is_signer {
        return Err(ProgramError::MissingRequiredSignature);
    }
    if job.owner != program_id {
        return Err(ProgramError::IncorrectProgramId);
    }
    {
        let d = job.try_borrow_data()?;
        if d.len() != JOB_LEN || d[0] != SUBMITTED || d[1..33] != node.key.as_ref()[..] {
            return Err(ProgramError::InvalidAccountData);
        }
    }
    let rent = job.lamports();
    **node.try_borrow_mut_lamports()? = node
        .lamports()
        .checked_add(rent)
        .ok_or(ProgramError::ArithmeticOverflow)?;
    **job.try_borrow_mut_lamports()? = 0;
    job.try_borrow_mut_data()?.fill(0);
    Ok(())
}
